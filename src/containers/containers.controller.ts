import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ContainerPage, ContainerResponse, ContainerStatsResponse, toContainerResponse } from './container.response';
import { ContainersService, IgnoredOwnerFields } from './containers.service';
import { CreateContainerDto } from './dto/create-container.dto';
import { ListContainersQuery, LogsQuery } from './dto/list-containers.query';
import { IgnoredOwner } from './ignored-owner-fields.decorator';

/** The caller's own containers. The owner is always `user.id` from the token. */
@ApiTags('containers')
@ApiBearerAuth()
@Controller('containers')
export class ContainersController {
  constructor(private readonly containers: ContainersService) {}

  @Post()
  @ApiCreatedResponse({ type: ContainerResponse })
  async create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateContainerDto,
    @IgnoredOwner() ignored: IgnoredOwnerFields,
  ): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.createForCaller(user, body, ignored));
  }

  @Get()
  @ApiOkResponse({ type: ContainerPage })
  async list(@CurrentUser() user: AuthUser, @Query() query: ListContainersQuery): Promise<ContainerPage> {
    const page = await this.containers.list(user.id, query);
    return { ...page, items: page.items.map(toContainerResponse) };
  }

  @Get(':id')
  @ApiOkResponse({ type: ContainerResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.get({ ownerId: user.id }, id));
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOkResponse({ type: ContainerResponse })
  async start(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.start({ ownerId: user.id }, id, { actor: user }));
  }

  @Post(':id/stop')
  @HttpCode(200)
  @ApiOkResponse({ type: ContainerResponse })
  async stop(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.stop({ ownerId: user.id }, id, { actor: user }));
  }

  @Post(':id/restart')
  @HttpCode(200)
  @ApiOkResponse({ type: ContainerResponse })
  async restart(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ContainerResponse> {
    return toContainerResponse(await this.containers.restart({ ownerId: user.id }, id, { actor: user }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Engine container removed; the record is kept as DELETED' })
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.containers.remove({ ownerId: user.id }, id, { actor: user });
  }

  @Get(':id/logs')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({ type: String, description: 'The last `tail` lines, stdout and stderr together' })
  logs(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: LogsQuery): Promise<string> {
    return this.containers.logs({ ownerId: user.id }, id, query.tail);
  }

  @Get(':id/stats')
  @ApiOkResponse({ type: ContainerStatsResponse })
  stats(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ContainerStatsResponse> {
    return this.containers.stats({ ownerId: user.id }, id);
  }
}
