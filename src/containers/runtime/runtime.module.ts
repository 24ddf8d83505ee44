import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ContainerRuntime } from './container-runtime';
import { DockerRuntime } from './docker.runtime';
import { SwarmRuntime } from './swarm.runtime';

/** Provides the ContainerRuntime port: the adapter CONTAINER_RUNTIME names. */
@Global()
@Module({
  providers: [
    {
      provide: ContainerRuntime,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ContainerRuntime =>
        config.runtime === 'swarm'
          ? new SwarmRuntime({ host: config.docker.host, ...config.swarm, ...config.containers })
          : new DockerRuntime({ host: config.docker.host, ...config.containers }),
    },
  ],
  exports: [ContainerRuntime],
})
export class RuntimeModule {}
