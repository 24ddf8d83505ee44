import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { Roles } from '../auth/roles.decorator';
import { ContainerResponse, toContainerResponse } from '../containers/container.response';
import { ContainersService } from '../containers/containers.service';
import { AdminContainersService } from './admin-containers.service';
import { AdminContainerResponse, toAdminContainerResponse } from './admin.responses';
import { AdminCreateContainerDto, ReasonDto, TransferContainerDto } from './dto/admin-container.dto';
import { AdminContainersQuery } from './dto/admin-queries';
import { OwnerResolver } from './owner-resolver';

const ANY_OWNER = { anyOwner: true } as const;

/**
 * The only place in berth where a request names a container's owner. Every act is audited
 * with the admin as actor and the customer as the one it was done for.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('admin/containers')
export class AdminContainersController {
  constructor(
    private readonly containers: ContainersService,
    private readonly adminContainers: AdminContainersService,
    private readonly owners: OwnerResolver,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ContainerResponse })
  async create(@CurrentUser() admin: AuthUser, @Body() body: AdminCreateContainerDto): Promise<ContainerResponse> {
    const { customerId, reason, overrideQuota, ...input } = body;
    const owner = await this.owners.requireUserId(customerId, 'customerId');
    return toContainerResponse(await this.containers.provision({ ownerId: owner.id, actor: admin, input, reason, overrideQuota }));
  }

  @Get()
  @ApiOkResponse({ type: [AdminContainerResponse] })
  async list(@Query() query: AdminContainersQuery) {
    const page = await this.adminContainers.list(query);
    return { ...page, items: page.items.map(toAdminContainerResponse) };
  }

  @Post(':id/start')
  @HttpCode(200)
  async start(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: ReasonDto): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.start(ANY_OWNER, id, { actor: admin, reason: body.reason }));
  }

  @Post(':id/stop')
  @HttpCode(200)
  async stop(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: ReasonDto): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.stop(ANY_OWNER, id, { actor: admin, reason: body.reason }));
  }

  @Post(':id/restart')
  @HttpCode(200)
  async restart(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: ReasonDto): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.restart(ANY_OWNER, id, { actor: admin, reason: body.reason }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: ReasonDto): Promise<void> {
    await this.containers.remove(ANY_OWNER, id, { actor: admin, reason: body.reason });
  }

  @Post(':id/transfer')
  @HttpCode(200)
  async transfer(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: TransferContainerDto): Promise<ContainerResponse> {
    const owner = await this.owners.requireUserId(body.toCustomerId, 'toCustomerId');
    return toContainerResponse(
      await this.containers.transfer(id, owner.id, { actor: admin, reason: body.reason, overrideQuota: body.overrideQuota }),
    );
  }
}
