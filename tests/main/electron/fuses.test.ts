/** The installers flip Electron's fuses: electron-builder.yml's electronFuses, checked against its schema's names. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/shared.js';

function fuses(): Record<string, boolean> {
  const text = readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8');
  const block = /^electronFuses:\n((?:[ \t]+\S.*\n?)+)/m.exec(text);
  assert.ok(block, 'electron-builder.yml has an electronFuses block');
  const out: Record<string, boolean> = {};
  for (const line of (block[1] ?? '').split('\n')) {
    const m = /^\s+(\w+):\s*(true|false)\s*$/.exec(line);
    if (m) out[m[1] as string] = m[2] === 'true';
  }
  return out;
}

test('electron-builder sets the fuses: no NODE_OPTIONS or --inspect, encrypted cookies, the app only from a checked asar', () => {
  const f = fuses();
  assert.deepEqual(
    { ...f },
    {
      // On because the model host is started with child_process.fork (ELECTRON_RUN_AS_NODE), see the yml.
      runAsNode: true,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    },
  );
  // Every key is one the installed electron-builder knows (a misspelt fuse would be ignored or fail the build late).
  const scheme = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as {
    definitions: Record<string, { properties?: Record<string, unknown> }>;
    properties: Record<string, unknown>;
  };
  assert.ok('electronFuses' in scheme.properties);
  const known = Object.keys(scheme.definitions.FuseOptionsV1?.properties ?? {});
  for (const key of Object.keys(f)) assert.ok(known.includes(key), `${key} is not a fuse electron-builder knows`);
  // The reason runAsNode stays on is still true: the model host is forked with ELECTRON_RUN_AS_NODE.
  assert.match(readFileSync(path.join(repoRoot, 'main', 'llm', 'modelHost.ts'), 'utf8'), /ELECTRON_RUN_AS_NODE/);
});
