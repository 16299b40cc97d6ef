import type { KnowledgeService } from '../knowledge/index.js';
import type { PlatformContext } from '../platform/module.js';
import type { AppOptions } from './types.js';

/** What a running app holds besides its handlers: the platform and the services the CLI still reaches. */
export interface AppContext extends PlatformContext {
  options: AppOptions;
  knowledge: KnowledgeService;
}
