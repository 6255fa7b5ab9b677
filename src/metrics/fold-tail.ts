/** The counter-compaction script (fold-tail.lua, documented there). */
import { luaScript } from '../redis/script.ts';

export const FOLD_TAIL = luaScript(
  'lcMetricsFoldTail',
  1,
  new URL('./fold-tail.lua', import.meta.url),
);
