import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ContainerResponse, toContainerResponse } from '../containers/container.response';
import type { AuditEvent } from '../generated/prisma/client';
import { toUserResponse, UserResponse } from '../users/user.response';
import type { AdminContainerRow } from './admin-containers.service';
import type { UserDetail } from './admin-users.service';

export class AdminContainerResponse extends ContainerResponse {
  @ApiProperty() createdById!: string;
  @ApiProperty({ type: String, nullable: true }) engineId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Jester (jester) • cmk07b7n4' }) ownerLabel!: string | null;
  @ApiProperty({ description: 'false: customerId is not a user id (historic data)' }) ownerKnown!: boolean;
}

export function toAdminContainerResponse({ container, ownerLabel }: AdminContainerRow): AdminContainerResponse {
  return {
    ...toContainerResponse(container),
    createdById: container.createdById,
    engineId: container.engineId,
    ownerLabel,
    ownerKnown: ownerLabel !== null,
  };
}

export class AdminUserResponse extends UserResponse {
  @ApiProperty({ type: String, nullable: true }) disabledAt!: Date | null;
}

export class AdminUserDetailResponse extends AdminUserResponse {
  @ApiProperty({ description: 'Containers per status' }) containers!: Record<string, number>;
  @ApiProperty({ description: 'Effective quota, and which fields are overridden for this user' })
  quota!: { maxContainers: number; maxMemoryMb: number; maxCpus: number; overridden: Record<string, number> };
}

export function toAdminUserResponse(user: Parameters<typeof toUserResponse>[0]): AdminUserResponse {
  return { ...toUserResponse(user), disabledAt: user.disabledAt };
}

export function toAdminUserDetail(detail: UserDetail): AdminUserDetailResponse {
  return { ...toAdminUserResponse(detail.user), containers: detail.containers, quota: detail.quota };
}

export class AuditEventResponse {
  @ApiProperty() seq!: number;
  @ApiProperty() at!: Date;
  @ApiProperty() action!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) actorId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) actorLabel!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) customerId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) targetType!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) targetId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) reason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) ip!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) userAgent!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: unknown;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export function toAuditEventResponse(event: AuditEvent): AuditEventResponse {
  const { seq, at, action, actorId, actorLabel, customerId, targetType, targetId, reason, ip, userAgent, requestId, data, prevHash, hash } =
    event;
  return { seq, at, action, actorId, actorLabel, customerId, targetType, targetId, reason, ip, userAgent, requestId, data, prevHash, hash };
}
