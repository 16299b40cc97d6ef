/**
 * Composition root: builds every domain over one data folder and exposes them as ApiHandlers plus an event
 * stream. Electron's main process, browser mode and the CLI all start here.
 */
export { createApp, type AppRuntime } from './createApp.js';
export type { AppContext } from './context.js';
export type { AppOptions, AppServices } from './types.js';
export { migrations, modules, openAppDatabase } from './modules.js';
