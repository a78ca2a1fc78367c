'use strict';
// The one check of every timer property (pollInterval of mediant-pm-read and
// mediant-alarms-poll): 0 is "no timer", otherwise 1 s to what setTimeout can
// wait, whole seconds unless the node documents decimals.
const should = require('should');
const { checks, fromConfig, timerFromConfig, MIN_TIMER_SECONDS, MAX_TIMER_SECONDS } = require('../../nodes/lib/overrides');

describe('the timer property check', function () {
  const whole = checks.timerSeconds();
  const decimals = checks.timerSeconds({ decimals: true });

  it('takes 0 (no timer) and whole seconds from 1 to 2147483, as numbers or text', function () {
    should(MIN_TIMER_SECONDS).equal(1);
    should(MAX_TIMER_SECONDS).equal(2147483);
    for (const [v, n] of [[0, 0], ['0', 0], [1, 1], [' 30 ', 30], ['2147483', 2147483], [86400, 86400]]) {
      should(whole.parse(v)).equal(n);
      should(decimals.parse(v)).equal(n);
    }
  });

  it('takes decimals only where the node documents them, never under 1 s', function () {
    should(decimals.parse('1.5')).equal(1.5);
    should(decimals.parse(2.25)).equal(2.25);
    should(whole.parse('1.5')).be.undefined();
    should(whole.parse(1.5)).be.undefined();
    for (const bad of ['0.5', 0.5, 0.001, '0.001', '1.2345']) should(decimals.parse(bad)).be.undefined();
  });

  it('refuses everything else', function () {
    for (const bad of ['-5', -5, 'abc', '', ' ', '1e3', 1e10, NaN, Infinity, -0.5, null, true, {}, [], '0x10', '2147484', 2147484]) {
      should(whole.parse(bad)).be.undefined();
      should(decimals.parse(bad)).be.undefined();
    }
  });

  it('names the property and what it takes when a node property is refused', function () {
    should(() => fromConfig({ pollInterval: '0.5' }, 'pollInterval', 30, decimals)).throw(
      'property pollInterval must be 0 (no timer) or a number of seconds from 1 to 2147483, got "0.5"',
    );
  });

  it('timerFromConfig: a bad value turns the timer off with a red status and an error log line; blank is the default', function () {
    const seen = { status: [], error: [] };
    const node = { status: (s) => seen.status.push(s), error: (e) => seen.error.push(e) };
    should(timerFromConfig(node, { pollInterval: 'abc' }, 'pollInterval', 30, whole)).equal(0);
    should(seen.status).eql([{ fill: 'red', shape: 'ring', text: 'bad pollInterval: timer off (see the log)' }]);
    should(seen.error).eql(['property pollInterval must be 0 (no timer) or a whole number of seconds from 1 to 2147483, got "abc"']);
    should(timerFromConfig(node, { pollInterval: '' }, 'pollInterval', 30, whole)).equal(30);
    should(timerFromConfig(node, {}, 'pollInterval', 30, whole)).equal(30);
    should(timerFromConfig(node, { pollInterval: '5' }, 'pollInterval', 30, whole)).equal(5);
    should(seen.error).have.length(1);
  });
});
