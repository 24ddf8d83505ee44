import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ContainerRuntime } from './container-runtime';
import { DockerRuntime } from './docker.runtime';

/** Provides the ContainerRuntime port; the Docker adapter today, chosen by configuration later. */
@Global()
@Module({
  providers: [
    {
      provide: ContainerRuntime,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new DockerRuntime({ host: config.docker.host, ...config.containers }),
    },
  ],
  exports: [ContainerRuntime],
})
export class RuntimeModule {}
