// Loaded before a library (node --import ./node/skewed-clock.mjs ...): the process's clock runs
// CLOCK_SKEW_MS milliseconds ahead (negative: behind), as on a device with a wrong clock.
const skew = Number(process.env.CLOCK_SKEW_MS || 0);
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(RealDate.now() + skew);
    } else {
      super(...args);
    }
  }

  static now() {
    return RealDate.now() + skew;
  }
}

globalThis.Date = SkewedDate;
