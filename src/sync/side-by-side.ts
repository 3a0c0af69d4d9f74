/**
 * Promise.all for steps that run side by side, except that a failure is thrown only once
 * every step has ended: a fetch (and its quick retries) never runs on after its sync has
 * failed, into the next attempt on the same cache, and what it fetched is kept.
 */
export async function allSettledFirst<T extends readonly unknown[] | []>(
  steps: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    steps.map((step) =>
      Promise.resolve(step).catch((error: unknown) => {
        failure ??= { error };
        throw error;
      }),
    ),
  );
  if (failure) throw failure.error;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
