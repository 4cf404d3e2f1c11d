/**
 * Prints one closing line in the plain form CI reads: `Tests: N passed, N failed, N skipped`.
 * (Jest's own summary says "N passed, N total", which CI does not parse.)
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\nTests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
