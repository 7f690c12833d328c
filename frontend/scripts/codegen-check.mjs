// `npm run codegen:check`: regenerates the API types into a temporary folder and fails when they differ from the
// committed src/lib/api/generated/ (the schema or a document changed without `npm run codegen`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const committed = join(root, 'src/lib/api/generated');
const temp = mkdtempSync(join(tmpdir(), 'mailrenew-codegen-'));
try {
  execFileSync(process.execPath, [join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', 'codegen.ts', '--silent'], {
    cwd: root,
    env: { ...process.env, CODEGEN_OUT: `${temp}/` },
    stdio: 'inherit',
  });
  const list = (dir) => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  const names = [...new Set([...list(committed), ...list(temp)])].sort();
  const stale = names.filter((name) => {
    const read = (dir) => {
      try {
        return readFileSync(join(dir, name), 'utf8');
      } catch {
        return null;
      }
    };
    return read(committed) !== read(temp);
  });
  if (stale.length > 0) {
    console.error(
      `src/lib/api/generated/ is stale (${stale.join(', ')}): ../schema.graphql or src/lib/api/documents/ changed. ` +
        'Run `npm run codegen` and commit the result.',
    );
    process.exit(1);
  }
  console.log('src/lib/api/generated/ is up to date with ../schema.graphql and src/lib/api/documents/.');
} finally {
  rmSync(temp, { recursive: true, force: true });
}
