/**
 * `--from`, `--to` and `--at` while a recording streams past: a time is known at once, a
 * marker (`marker:LABEL`, `m3`) once that marker has been read.
 *
 * @module
 */
import { type Marker, resolveTimePoint, type TimePoint } from "../asciicast/time_spec.ts";

/** The points of an export, resolved as markers go by. */
export class RangePoints {
  #points: { from?: TimePoint; to?: TimePoint; at?: TimePoint };
  #markers: Marker[] = [];
  /** Where the picture starts (recording µs); undefined while its marker is not read yet. */
  from: number | undefined;
  /** Where it ends, if anywhere. */
  to: number | undefined;
  /** The still moment, if any. */
  at: number | undefined;

  /**
   * @example
   * ```ts
   * import { RangePoints } from "./range_points.ts";
   * const points = new RangePoints({ from: { kind: "marker", label: "go" } });
   * points.from; // undefined
   * points.marker({ time: 5_000_000, label: "go" });
   * points.from; // 5_000_000
   * ```
   */
  constructor(points: { from?: TimePoint; to?: TimePoint; at?: TimePoint }) {
    this.#points = points;
    const time = (p?: TimePoint) => p?.kind === "time" ? p.time : undefined;
    this.from = points.from ? time(points.from) : 0;
    this.to = time(points.to);
    this.at = time(points.at);
  }

  /** Takes the next marker of the recording. */
  marker(marker: Marker): void {
    this.#markers.push(marker);
    const resolve = (point: TimePoint | undefined, known: number | undefined) => {
      if (point === undefined || known !== undefined || point.kind === "time") return known;
      if (point.kind === "markerNumber") {
        return point.number === this.#markers.length ? marker.time : undefined;
      }
      return point.label === marker.label ? marker.time : undefined;
    };
    this.from = resolve(this.#points.from, this.from);
    this.to = resolve(this.#points.to, this.to);
    this.at = resolve(this.#points.at, this.at);
  }

  /**
   * At the end of the recording: throws for a point whose marker never came.
   *
   * @throws {RangeError} naming the marker and listing those there are.
   */
  check(): void {
    for (
      const [point, value] of [
        [this.#points.from, this.from],
        [this.#points.to, this.to],
        [this.#points.at, this.at],
      ] as const
    ) {
      if (point && value === undefined) resolveTimePoint(point, this.#markers);
    }
  }
}
