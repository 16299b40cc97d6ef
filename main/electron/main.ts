/**
 * Electron's main process, kept thin: it creates the window, serves the built renderer over app://,
 * wires IPC to the same handlers browser mode uses, and applies the security settings. Services live in
 * main/<domain>; nothing here knows about knowledge, jobs or SQL.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, utilityProcess, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ipcChannels } from '../../api/bridge.js';
import { errorMessage, type ApiEvent } from '../../api/contract.js';
import { createApp, type AppServices } from '../app/index.js';
import { useHostLauncher, utilityHostLauncher } from '../llm/index.js';
import { databasePath, defaultDataDir, opensReadOnly } from '../platform/dataDir.js';
import { dispatch } from '../server/dispatch.js';
import { mimeTypeFor, resolveStaticPath } from '../server/staticFiles.js';
import { appEntryUrl, appScheme, contentSecurityPolicy, isAppUrl, isSafeExternalUrl } from './security.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled layout: dist/main/electron/main.js, dist/preload/preload.cjs, dist/renderer/.
const rendererDir = path.resolve(here, '..', '..', 'renderer');
const preloadPath = path.resolve(here, '..', '..', 'preload', 'preload.cjs');
const iconPath = path.resolve(here, '..', '..', '..', 'assets', 'icon.png');

protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let services: AppServices | null = null;
const windows = new Set<BrowserWindow>();

/** IPC is answered only for our own windows, and only from frames showing our own page. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const owner = BrowserWindow.fromWebContents(event.sender);
  if (!owner || !windows.has(owner)) return false;
  const frame = event.senderFrame;
  return frame !== null && isAppUrl(frame.url);
}

function registerAppProtocol(): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = isAppUrl(request.url) ? resolveStaticPath(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    const upstream = await net.fetch(pathToFileURL(file).toString());
    if (!upstream.ok) return new Response('Not found', { status: 404 });
    return new Response(upstream.body, {
      status: 200,
      headers: {
        'Content-Type': mimeTypeFor(file),
        'Content-Security-Policy': contentSecurityPolicy,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}

function registerIpc(handlers: AppServices['handlers']): void {
  ipcMain.handle(ipcChannels.call, async (event, method: unknown, input: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted frame' } };
    if (typeof method !== 'string') return { ok: false, error: { code: 'bad-input', message: 'Api method must be a string' } };
    return dispatch(handlers, method, input);
  });
  ipcMain.handle(ipcChannels.pickImportSource, async (event, kind: unknown) => {
    if (!isTrustedSender(event)) return null;
    const owner = BrowserWindow.fromWebContents(event.sender);
    const options: Electron.OpenDialogOptions =
      kind === 'zip'
        ? { title: 'Choose an ORPHApacket .zip', properties: ['openFile'], filters: [{ name: 'Zip archives', extensions: ['zip'] }] }
        : { title: 'Choose the folder of ORPHApacket JSON files', properties: ['openDirectory'] };
    const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
}

function broadcast(event: ApiEvent): void {
  for (const win of windows) {
    if (!win.isDestroyed()) win.webContents.send(ipcChannels.event, event);
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1100,
    minHeight: 680,
    show: false,
    title: 'MedSSR Studio',
    backgroundColor: '#f4f6f9',
    icon: iconPath,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());

  // New windows never open inside the app; https links go to the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The page never navigates away from itself (hash routing is in-page and does not fire this).
  win.webContents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  void win.loadURL(appEntryUrl);
  return win;
}

async function start(): Promise<void> {
  const dataDir = defaultDataDir();
  app.setPath('userData', dataDir);
  useElectronSqliteBuild();
  await app.whenReady();

  // Deny every permission (camera, notifications, geolocation, …) and any <webview>.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  registerAppProtocol();
  // Jobs load models in Electron utility processes (no ELECTRON_RUN_AS_NODE, so the runAsNode fuse stays off).
  useHostLauncher(utilityHostLauncher(utilityProcess.fork.bind(utilityProcess)));
  // As browser mode: a data folder that cannot be written opens read-only (the renderer says so on every page).
  services = await createApp({ dataDir, transport: 'ipc', seedDemo: true, readonly: opensReadOnly(databasePath(dataDir)) });
  services.subscribe(broadcast);
  registerIpc(services.handlers);
  createWindow();

  app.on('activate', () => {
    if (windows.size === 0) createWindow();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = windows;
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('will-quit', (event) => {
    if (!services || closing) return;
    closing = true;
    event.preventDefault();
    void services.close().finally(() => {
      services = null;
      app.quit();
    });
  });
  start().catch((err: unknown) => {
    dialog.showErrorBox('MedSSR Studio could not start', errorMessage(err));
    app.exit(1);
  });
}

/**
 * From a checkout (`npm start`), node_modules holds better-sqlite3 built for Node; scripts/electron-native.mjs
 * builds a copy for Electron. Packaged apps carry an Electron build in place and need nothing.
 */
function useElectronSqliteBuild(): void {
  if (app.isPackaged || process.env.MEDSSR_SQLITE_BINDING) return;
  const binding = path.join(app.getAppPath(), 'dist', 'electron-native', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) process.env.MEDSSR_SQLITE_BINDING = binding;
}
