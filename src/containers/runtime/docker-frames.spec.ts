import { demuxDockerLogs } from './docker-frames';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxDockerLogs', () => {
  it('joins stdout and stderr frames in order, without headers', () => {
    const buffer = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    expect(demuxDockerLogs(buffer)).toBe('out 1\nerr 1\nout 2\n');
  });

  it('returns plain text untouched (TTY containers are not framed)', () => {
    expect(demuxDockerLogs(Buffer.from('plain log line\n'))).toBe('plain log line\n');
  });

  it('handles empty output and multi-byte text', () => {
    expect(demuxDockerLogs(Buffer.alloc(0))).toBe('');
    expect(demuxDockerLogs(frame(1, 'héllo ✓\n'))).toBe('héllo ✓\n');
  });
});
