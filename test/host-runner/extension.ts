// Test-only extension (never shipped): when the extension host starts it and $WABA_E2E_SUITE is
// set, it runs that mocha suite inside the host and writes the results as JSON to
// $WABA_E2E_RESULTS, then a done marker ($WABA_E2E_RESULTS.done).
//
// $WABA_E2E_SUITE is an absolute path: a folder (every *.test.js under it, in path order) or one
// compiled test file. Mocha is bundled into this file by scripts/e2e/build.mjs; the options
// (TDD interface, timeout) come from test/extension/mochaOptions.ts, shared with the
// @vscode/test-electron entry.
//
// It deliberately does not import 'vscode': the suite does, and this file only runs it.
import Mocha from 'mocha';
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { mochaOptions } from '../extension/mochaOptions';
import { doneMarker } from './results';
import type { HostSuiteResults, HostTestResult } from './results';

let started = false;

function collectTestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.js')) out.push(p);
    }
  };
  walk(path);
  return out;
}

function errorOf(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message || String(err), stack: err.stack };
  return { message: String(err) };
}

function writeResults(resultsPath: string, results: HostSuiteResults): void {
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(`${resultsPath}.tmp`, JSON.stringify(results, null, 2));
  renameSync(`${resultsPath}.tmp`, resultsPath);
  writeFileSync(doneMarker(resultsPath), results.finishedAt);
}

function runSuite(suitePath: string, resultsPath: string): Promise<void> {
  const log = (line: string) => {
    try {
      appendFileSync(`${resultsPath}.log`, `${new Date().toISOString()} ${line}\n`);
    } catch {
      /* the log is a convenience */
    }
  };
  const results: HostSuiteResults = {
    suite: suitePath,
    files: [],
    startedAt: new Date().toISOString(),
    finishedAt: '',
    probe: process.env.WABA_E2E_PROBE ?? null,
    node: process.version,
    pid: process.pid,
    tests: [],
    stats: { tests: 0, passes: 0, failures: 0, pending: 0 },
  };
  const finish = (loadError?: unknown) => {
    if (loadError !== undefined) {
      results.loadError = errorOf(loadError).stack ?? errorOf(loadError).message;
      log(`suite could not run: ${results.loadError}`);
    }
    results.finishedAt = new Date().toISOString();
    results.stats = {
      tests: results.tests.length,
      passes: results.tests.filter((t) => t.state === 'passed').length,
      failures: results.tests.filter((t) => t.state === 'failed').length,
      pending: results.tests.filter((t) => t.state === 'pending').length,
    };
    writeResults(resultsPath, results);
    log(`done: ${JSON.stringify(results.stats)}`);
  };

  return new Promise<void>((resolvePromise) => {
    try {
      if (!existsSync(suitePath)) throw new Error(`WABA_E2E_SUITE=${suitePath} does not exist`);
      results.files = collectTestFiles(suitePath);
      if (results.files.length === 0) throw new Error(`no *.test.js file under WABA_E2E_SUITE=${suitePath}`);
      log(`running ${results.files.length} file(s) from ${suitePath}`);

      const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
      const record = (test: Mocha.Runnable, state: HostTestResult['state'], err?: unknown) => {
        const entry: HostTestResult = { title: test.title, fullTitle: test.fullTitle(), state, durationMs: test.duration ?? 0 };
        if (test.file) entry.file = test.file;
        if (err !== undefined) entry.error = errorOf(err);
        results.tests.push(entry);
        log(`${state}: ${entry.fullTitle}${entry.error ? ` -- ${entry.error.message}` : ''}`);
      };
      // A reporter that only collects; the JSON is the report.
      class Collector extends Mocha.reporters.Base {
        constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
          super(runner, options);
          runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => record(test, 'passed'));
          runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, err: unknown) => record(test, 'failed', err));
          runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => record(test, 'pending'));
        }
      }
      const mocha = new Mocha({ ...mochaOptions, reporter: Collector });
      for (const f of results.files) mocha.addFile(resolve(f));
      mocha.run(() => {
        finish();
        resolvePromise();
      });
    } catch (e) {
      finish(e);
      resolvePromise();
    }
  });
}

export function activate(): void {
  const suitePath = process.env.WABA_E2E_SUITE;
  const resultsPath = process.env.WABA_E2E_RESULTS;
  if (!suitePath || !resultsPath) return;
  // Once per results file: a reloaded window restarts the host, which must not run the suite again.
  // (The marker below also covers a host restarted while the suite was still running.)
  if (started || existsSync(doneMarker(resultsPath)) || existsSync(`${resultsPath}.started`)) return;
  started = true;
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(`${resultsPath}.started`, String(process.pid));
  // Not awaited: activation must return so the host carries on starting the other extensions.
  setTimeout(() => {
    runSuite(suitePath, resultsPath).catch((e: unknown) => {
      try {
        appendFileSync(`${resultsPath}.log`, `runner crashed: ${String(e)}\n`);
      } catch {
        /* nothing left to report to */
      }
    });
  }, 0);
}

export function deactivate(): void {}
