import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'MedSSR Studio';

/**
 * The folder Electron calls userData, computed without Electron so the CLI and browser mode use the same
 * place as the desktop app. MEDSSR_DATA_DIR overrides it everywhere.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEDSSR_DATA_DIR) return path.resolve(env.MEDSSR_DATA_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'medssr.db');
}
