// mocha reporter: the spec reporter's output, plus the run's counts written as JSON to
// $SAMSA_TEST_COUNTS so that scripts/test.sh can print one "N passed, N failed" line for all suites.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.SAMSA_TEST_COUNTS;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending }));
    });
  }
}

module.exports = CountReporter;
