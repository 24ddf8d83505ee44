import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'berth:isPublic';

/** The only way out of authentication: every route without it requires a valid access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
