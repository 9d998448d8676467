import { recorded } from './state.mjs';

class Metric {
  constructor(name) {
    this.name = name;
    recorded.metrics[name] ??= { count: 0, sum: 0 };
  }
  add(value) {
    const m = recorded.metrics[this.name];
    m.count++;
    m.sum += Number(value);
  }
}
export class Counter extends Metric {}
export class Trend extends Metric {}
export class Rate extends Metric {}
export class Gauge extends Metric {}
export default { Counter, Trend, Rate, Gauge };
