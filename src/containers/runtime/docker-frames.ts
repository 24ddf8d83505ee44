/**
 * A non-TTY container's log output comes multiplexed: each frame is an 8-byte header
 * (byte 0 = stream: 1 stdout, 2 stderr; bytes 4-7 = payload length, big endian) followed by
 * the payload. dockerode's demuxStream wants a stream; logs({ follow: false }) gives a Buffer.
 */
export function demuxDockerLogs(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if (stream > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      // Not framed (a TTY container): the bytes are the text.
      return buffer.toString('utf8');
    }
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}
