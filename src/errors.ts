/** One error style for the whole library (after sharp): say which argument, what was expected, what came. */
export class CafeError extends Error {
  override name = 'CafeError';
}

function describe(actual: unknown): string {
  if (actual === null) return 'null';
  if (actual === undefined) return 'undefined';
  if (typeof actual === 'string') return `'${actual}'`;
  if (Array.isArray(actual)) return `[${actual.map(describe).join(', ')}]`;
  if (ArrayBuffer.isView(actual)) return `${actual.constructor.name}(${(actual as unknown as { length: number }).length})`;
  if (typeof actual === 'object') return (actual as object).constructor?.name ?? 'object';
  return String(actual);
}

/** Error for a bad argument: `Expected <expected> for <name> but received <actual>`. */
export function invalidParameter(name: string, expected: string, actual: unknown): CafeError {
  return new CafeError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

/** Error about a file: always names the file (and line when known). */
export function fileError(path: string, problem: string, line?: number): CafeError {
  return new CafeError(`${path}${line !== undefined ? `:${line}` : ''}: ${problem}`);
}

/** Error for a model that is not where it was looked for: what is missing, where to get it, where to put it. */
export function missingModel(what: string, path: string, howToGet: string): CafeError {
  return new CafeError(`${what} not found at ${path}\n  Get it: ${howToGet}\n  Put it at: ${path} (or pass another path)`);
}
