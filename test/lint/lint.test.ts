import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Lint and format are part of `npm test`: ESLint with typescript-eslint's type-aware rules
// (eslint.config.mjs), Prettier's layout (.prettierrc.json) and a type check of the tests
// (ts-jest only transpiles them). Zero warnings: any finding fails here, named by file and line.
const ROOT = path.resolve(__dirname, '..', '..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
const SOURCES = ['services/*/src/**/*.ts', 'services/*/test/**/*.ts', 'services/common/testing/**/*.ts', 'test/**/*.ts'];

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

interface EslintFileResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

let findings: string[] = [];
let filesLinted = 0;
beforeAll(() => {
  const { output } = run(bin('eslint'), ['--format', 'json', '--max-warnings', '0', 'services', 'test']);
  const start = output.indexOf('[');
  const results = JSON.parse(output.slice(start)) as EslintFileResult[];
  filesLinted = results.length;
  findings = results.flatMap((file) =>
    file.messages.map((m) => `${path.relative(ROOT, file.filePath)}:${m.line} ${m.ruleId ?? 'parse'} ${m.message}`),
  );
}, 300_000);

describe('lint', () => {
  it('when ESLint runs, then it reads every TypeScript file of the services and tests (not none)', () => {
    expect(filesLinted).toBeGreaterThan(150);
  });

  const areas = ['common', 'gateway', 'identity', 'room', 'rentcar', 'reservation', 'payment', 'message', 'viewpage'].map(
    (s) => `services/${s}/`,
  );
  it.each([...areas, 'test/'])('when %s is linted with ESLint (type-aware), then it has no finding', (area) => {
    expect(findings.filter((f) => f.startsWith(area))).toEqual([]);
  });

  it('when every TypeScript file is checked against Prettier, then none needs formatting', () => {
    const { status, output } = run(bin('prettier'), ['--check', '--log-level', 'warn', ...SOURCES]);
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 300_000);

  it('when the tests are type-checked (ts-jest only transpiles them), then there is no type error', () => {
    const { status, output } = run(bin('tsc'), ['-p', 'tsconfig.test.json', '--noEmit']);
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 300_000);
});
