export interface Requirement {
  present: boolean;
  /** The environment switch (REQUIRE_…) that turns a skip into a failure, as .ci/run and CI set it. */
  switchName: string;
  /** What is missing, as a reader should see it: "no kubectl". */
  missing: string;
  /** Which tests skip without it. */
  tests: string;
  /** How to get it, when that is one short command. */
  install?: string;
}

/**
 * True when tests must skip for want of a tool or an engine, saying so in one line; with the switch set to
 * 1, a missing requirement throws instead, so CI cannot pass by skipping.
 */
export function skipWithout({ present, switchName, missing, tests, install }: Requirement): boolean {
  if (present) return false;
  if (process.env[switchName] === '1') throw new Error(`${switchName}=1, but ${missing}`);
  const how = install === undefined ? '' : `${install}; `;
  console.log(`${tests} skipped: ${missing} (${how}${switchName}=1 makes this an error)`);
  return true;
}
