/** The installers flip Electron's fuses: electron-builder.yml's electronFuses, checked against its schema's names. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
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

test('electron-builder sets the fuses: no run-as-node, no NODE_OPTIONS or --inspect, encrypted cookies, the app only from a checked asar', () => {
  const f = fuses();
  assert.deepEqual(
    { ...f },
    {
      // Off: inside Electron the model host is a utility process, not a child run as Node (see the yml).
      runAsNode: false,
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
  // runAsNode may stay off only while nothing in the app starts itself as Node: the model host goes through
  // hostChannel.ts, which uses utilityProcess inside Electron, and no source sets ELECTRON_RUN_AS_NODE.
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  for (const file of sources(path.join(repoRoot, 'main'))) assert.doesNotMatch(readFileSync(file, 'utf8'), /ELECTRON_RUN_AS_NODE\s*:/, path.relative(repoRoot, file));
  assert.match(readFileSync(path.join(repoRoot, 'main', 'llm', 'hostChannel.ts'), 'utf8'), /utilityProcess\.fork/);
  assert.match(readFileSync(path.join(repoRoot, 'main', 'llm', 'modelHost.ts'), 'utf8'), /launchHost\(/);
});
