import { current } from './state.mjs';

const exec = {
  scenario: {
    get name() {
      return current.scenario;
    },
    get iterationInTest() {
      return current.iterationInTest;
    },
  },
  vu: {
    get idInTest() {
      return current.vu;
    },
    get iterationInScenario() {
      return current.iterationInTest;
    },
  },
};
export default exec;
