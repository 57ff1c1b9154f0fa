/**
 * The secret values this step knows of, each with the reference it came from (an `ssm:` SecureString), so
 * what the step writes to disk (deployment records) names the reference and never holds the value.
 */
const secrets = new Map<string, string>();

/** Remembers that `value` is secret and came from `reference` (e.g. `ssm:/app/db-password`). */
export function rememberSecret(value: string, reference: string): void {
  if (value) secrets.set(value, reference);
}

/** The reference a secret value came from, or undefined when the value is not a known secret. */
export function secretReference(value: string): string | undefined {
  return secrets.get(value);
}

/**
 * A copy of `data` fit to write down: every string that is a known secret becomes its reference, and a
 * secret inside a longer string is cut out (replaced by `***`).
 */
export function withoutSecrets<T>(data: T): T {
  if (!secrets.size) return data;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const ref = secrets.get(v);
      if (ref) return ref;
      let out = v;
      for (const value of secrets.keys()) if (out.includes(value)) out = out.split(value).join('***');
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(data) as T;
}

/** For tests: forget every secret. */
export function forgetSecrets(): void {
  secrets.clear();
}
