/** What the TypeScript benchmarks share: their command-line arguments and the median of runs. */

/** The value of `--name=value`, or `fallback`; without either, an error. */
export const arg = (name: string, fallback?: string): string => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  if (a) return a.slice(name.length + 3);
  if (fallback === undefined) throw new Error(`--${name}= is needed`);
  return fallback;
};

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
