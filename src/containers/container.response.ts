import { ApiProperty } from '@nestjs/swagger';
import type { ContainerInstance, ContainerStatus } from '../generated/prisma/client';

/** A container as customers see it. `env` is not echoed back: it may hold secrets. */
export class ContainerResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The owner: your user id' }) customerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() image!: string;
  @ApiProperty({ enum: ['PROVISIONING', 'RUNNING', 'STOPPED', 'FAILED', 'MISSING', 'DELETED'] }) status!: ContainerStatus;
  @ApiProperty() memoryMb!: number;
  @ApiProperty() cpus!: number;
  @ApiProperty({ type: [String] }) command!: string[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
}

export class ContainerPage {
  @ApiProperty({ type: [ContainerResponse] }) items!: ContainerResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class ContainerStatsResponse {
  @ApiProperty() cpuPercent!: number;
  @ApiProperty() memoryBytes!: number;
  @ApiProperty() memoryLimitBytes!: number;
  @ApiProperty() pids!: number;
}

/** The columns a customer's view is made of: env (which may hold secrets) is not among them. */
export type ContainerView = Pick<
  ContainerInstance,
  'id' | 'customerId' | 'name' | 'image' | 'status' | 'memoryMb' | 'cpus' | 'command' | 'createdAt' | 'updatedAt' | 'lastError'
>;

export function toContainerResponse(row: ContainerView): ContainerResponse {
  return {
    id: row.id,
    customerId: row.customerId,
    name: row.name,
    image: row.image,
    status: row.status,
    memoryMb: row.memoryMb,
    cpus: row.cpus,
    command: row.command,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastError: row.lastError,
  };
}
