import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService, VerifyResult } from '../audit/audit.service';
import { Roles } from '../auth/roles.decorator';
import { toAuditEventResponse } from './admin.responses';
import { AuditQueryDto } from './dto/admin-queries';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query() query: AuditQueryDto) {
    const page = await this.audit.list(query);
    return { ...page, items: page.items.map(toAuditEventResponse) };
  }

  /** Recomputes the whole chain: `ok: false` names the first event that was edited, removed or moved. */
  @Get('verify')
  verify(): Promise<VerifyResult> {
    return this.audit.verify();
  }
}
