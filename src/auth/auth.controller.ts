import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { toUserResponse, UserResponse } from '../users/user.response';
import type { AuthUser } from './auth-user';
import { Authenticated, AuthService } from './auth.service';
import { CurrentUser } from './current-user.decorator';
import { AuthResponse } from './dto/auth.response';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { Public } from './public.decorator';
import type { ClientInfo } from './sessions.service';

function clientInfo(req: Request): ClientInfo & { ip: string } {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.get('user-agent') };
}

function toAuthResponse({ user, ...tokens }: Authenticated): AuthResponse {
  return { user: toUserResponse(user), ...tokens };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: AuthResponse })
  async register(@Body() body: RegisterDto, @Req() req: Request): Promise<AuthResponse> {
    return toAuthResponse(await this.auth.register(body, clientInfo(req)));
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AuthResponse })
  async login(@Body() body: LoginDto, @Req() req: Request): Promise<AuthResponse> {
    return toAuthResponse(await this.auth.login(body, clientInfo(req)));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: AuthResponse })
  async refresh(@Body() body: RefreshDto): Promise<AuthResponse> {
    return toAuthResponse(await this.auth.refresh(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: "This session's access and refresh tokens stop working" })
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    await this.auth.logout(user);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentUser() user: AuthUser): UserResponse {
    return toUserResponse(user.record);
  }
}
