import type { ApiEvent, ApiHandlers } from '../../api/contract.js';
import type { ReviewerAccounts } from '../review/index.js';

export interface AppOptions {
  /** Folder holding medssr.db, models, adapters, exports. */
  dataDir: string;
  /** Explicit database file (CLI --db); defaults to <dataDir>/medssr.db. */
  dbPath?: string;
  transport: 'ipc' | 'http';
  /** Load the bundled demo set when the knowledge base is empty (desktop and browser mode; not the CLI). */
  seedDemo?: boolean;
  /**
   * Open the database read-only (a data folder on a read-only mount): reading works, anything that writes is
   * refused by SQLite with SQLITE_READONLY, which the transports turn into a message naming the folder.
   */
  readonly?: boolean;
}

/** What the transports (Electron, browser mode, the CLI) receive. */
export interface AppServices {
  handlers: ApiHandlers;
  /** Reviewer profiles for browser mode's login. */
  accounts?: ReviewerAccounts;
  subscribe(listener: (event: ApiEvent) => void): () => void;
  close(): Promise<void>;
}
