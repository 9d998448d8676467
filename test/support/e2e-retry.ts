// The e2e suites run real processes on a 2-core machine: a test that fails is run once more, and
// its first failure is printed (a flaky pass stays visible in the output). A missing feature still
// fails twice.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
