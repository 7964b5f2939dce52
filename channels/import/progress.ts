/**
 * Progress on stderr: a bar when a person watches (stderr is a TTY), otherwise a line at every
 * tenth of the way, so logs of a scheduled import stay short.
 */
import { SingleBar, Presets } from 'cli-progress'

export interface Progress {
  tick(counts: { imported: number; present: number; rejected: number }): void
  stop(): void
}

export function progressFor(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: 'import [{bar}] {percentage}% {value}/{total} rows | imported {imported} present {present} rejected {rejected} | eta {eta_formatted}',
        hideCursor: true,
      },
      Presets.shades_classic,
    )
    bar.start(total, 0, { imported: 0, present: 0, rejected: 0 })
    let done = 0
    return {
      tick: (c) => bar.update(++done, c),
      stop: () => bar.stop(),
    }
  }
  let done = 0
  let nextMark = 1
  return {
    tick(c) {
      done++
      if (done >= (total * nextMark) / 10 || done === total) {
        while (nextMark <= 10 && done >= (total * nextMark) / 10) nextMark++
        stream.write(`import: ${done}/${total} rows (imported ${c.imported}, present ${c.present}, rejected ${c.rejected})\n`)
      }
    },
    stop() {},
  }
}
