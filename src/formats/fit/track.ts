/**
 * The positioned records of a file, column by column in typed arrays, so a 24-hour
 * recording (86,400 points) costs about 2 MB instead of 86,400 objects. Only built
 * when a damaged file has to be rebuilt as GPX.
 */
export class Track {
  length = 0;
  /** FIT timestamp (seconds since the FIT epoch), NaN when the record has none. */
  time = new Float64Array(1024);
  /** Semicircles. */
  lat = new Int32Array(1024);
  lon = new Int32Array(1024);
  /** Metres, NaN when absent. */
  ele = new Float32Array(1024);
  /** Beats per minute, 0 when absent. */
  hr = new Uint8Array(1024);
  /** Revolutions or strides per minute, 255 when absent. */
  cad = new Uint8Array(1024);

  push(time: number, lat: number, lon: number, ele: number, hr: number, cad: number): void {
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.lat[i] = lat;
    this.lon[i] = lon;
    this.ele[i] = ele;
    this.hr[i] = hr === hr ? hr : 0;
    this.cad[i] = cad === cad ? cad : 255;
  }

  private grow(): void {
    const size = this.time.length * 2;
    this.time = copy(new Float64Array(size), this.time);
    this.lat = copy(new Int32Array(size), this.lat);
    this.lon = copy(new Int32Array(size), this.lon);
    this.ele = copy(new Float32Array(size), this.ele);
    this.hr = copy(new Uint8Array(size), this.hr);
    this.cad = copy(new Uint8Array(size), this.cad);
  }
}

function copy<T extends { set(source: ArrayLike<number>): void }>(target: T, source: ArrayLike<number>): T {
  target.set(source);
  return target;
}
