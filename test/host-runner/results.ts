// The JSON the test-only runner extension writes to $WABA_E2E_RESULTS (read by test/e2e).
export interface HostTestResult {
  /** The test's own title. */
  title: string;
  /** Suite titles and the test title, joined by spaces (mocha's fullTitle()). */
  fullTitle: string;
  file?: string;
  /** 'pending' never passes: the suite forbids skipped tests. A failing hook is reported as a failed entry. */
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: { message: string; stack?: string };
}

export interface HostSuiteResults {
  /** $WABA_E2E_SUITE as the runner saw it. */
  suite: string;
  files: string[];
  startedAt: string;
  finishedAt: string;
  /** $WABA_E2E_PROBE as the extension host saw it: shows the environment reached the host. */
  probe: string | null;
  /** The extension host's node version and pid. */
  node: string;
  pid: number;
  /** Set when the suite could not be loaded or run at all (nothing in `tests` then). */
  loadError?: string;
  tests: HostTestResult[];
  stats: { tests: number; passes: number; failures: number; pending: number };
}

/** The marker the runner writes after the results file is complete. */
export const doneMarker = (resultsPath: string): string => `${resultsPath}.done`;
