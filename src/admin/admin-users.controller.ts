import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { Roles } from '../auth/roles.decorator';
import { AdminUsersService } from './admin-users.service';
import { AdminUserDetailResponse, toAdminUserDetail, toAdminUserResponse } from './admin.responses';
import { AdminUsersQuery } from './dto/admin-queries';
import { UpdateUserDto } from './dto/update-user.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  async list(@Query() query: AdminUsersQuery) {
    const page = await this.users.list(query);
    return { ...page, items: page.items.map(toAdminUserResponse) };
  }

  /** `ref`: a user id, public customer id (`u042`), username or email. */
  @Get(':ref')
  @ApiOkResponse({ type: AdminUserDetailResponse })
  async get(@Param('ref') ref: string): Promise<AdminUserDetailResponse> {
    return toAdminUserDetail(await this.users.get(ref));
  }

  @Patch(':ref')
  @ApiOkResponse({ type: AdminUserDetailResponse })
  async update(@CurrentUser() admin: AuthUser, @Param('ref') ref: string, @Body() body: UpdateUserDto): Promise<AdminUserDetailResponse> {
    return toAdminUserDetail(await this.users.update(ref, body, admin));
  }
}
