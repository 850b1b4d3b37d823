// A strict reader of the JUnit XML evalctl writes (no XML parser is a dependency): the whole
// document must be exactly the shape `src/core/score/junit.ts` promises, or it throws.

export interface JunitCase {
  classname: string;
  name: string;
  /** `pass` for an empty test case. */
  kind: 'pass' | 'failure' | 'error' | 'skipped';
  message: string | null;
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
const ATTRIBUTE = '"((?:[^"<>&]|&(?:lt|gt|amp|quot|apos);)*)"';
const decode = (text: string) => text.replace(/&(?:lt|gt|amp|quot|apos);/g, (e) => ENTITIES[e]);

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="evalctl">\n';
const SUITE = new RegExp(`^  <testsuite name=${ATTRIBUTE}>\\n`);
const CASE = new RegExp(`^    <testcase classname=${ATTRIBUTE} name=${ATTRIBUTE}>(?:<(failure|error|skipped) message=${ATTRIBUTE}/>)?</testcase>\\n`);

/** Suite name -> its test cases in order; throws on anything else in the document. */
export function readJunit(xml: string): Map<string, JunitCase[]> {
  if (!xml.startsWith(HEADER)) throw new Error(`JUnit header wrong: ${JSON.stringify(xml.slice(0, 80))}`);
  let rest = xml.slice(HEADER.length);
  const suites = new Map<string, JunitCase[]>();
  for (;;) {
    if (rest === '</testsuites>\n') return suites;
    const suite = SUITE.exec(rest);
    if (!suite) throw new Error(`JUnit: expected a <testsuite> at ${JSON.stringify(rest.slice(0, 80))}`);
    rest = rest.slice(suite[0].length);
    const cases: JunitCase[] = [];
    for (let match = CASE.exec(rest); match; match = CASE.exec(rest)) {
      cases.push({ classname: decode(match[1]), name: decode(match[2]), kind: (match[3] as JunitCase['kind']) ?? 'pass', message: match[4] === undefined ? null : decode(match[4]) });
      rest = rest.slice(match[0].length);
    }
    if (!rest.startsWith('  </testsuite>\n')) throw new Error(`JUnit: expected </testsuite> at ${JSON.stringify(rest.slice(0, 80))}`);
    rest = rest.slice('  </testsuite>\n'.length);
    suites.set(decode(suite[1]), cases);
  }
}

/** The cases of one check (`<suite>.<check>` classname), as [name, kind, message]. */
export function checkCases(suites: Map<string, JunitCase[]>, suite: string, check: string): [string, JunitCase['kind'], string | null][] {
  return (suites.get(suite) ?? []).filter((c) => c.classname === `${suite}.${check}`).map((c) => [c.name, c.kind, c.message]);
}
