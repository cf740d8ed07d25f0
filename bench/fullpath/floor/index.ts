// Runs the local runtime floor alone and prints its table (no full path beside it):
//   npx tsx bench/fullpath/floor/index.ts
// BENCH_FLOOR_PAIRS=1 and BENCH_FLOOR_RATES=25,50 narrow it. Inside `npm run bench --
// --only=fullpath` the floor runs after the full path and its table carries both.
import { floorTables } from "./table.js";
import { FLOOR_CONFIG, runFloorBench } from "./floor.js";

const list = (value: string | undefined, fallback: number[]) => (value ? value.split(",").map(Number).filter((n) => n > 0) : fallback);

async function main(): Promise<void> {
  const config = { ...FLOOR_CONFIG, pairs: list(process.env.BENCH_FLOOR_PAIRS, FLOOR_CONFIG.pairs), rates: list(process.env.BENCH_FLOOR_RATES, FLOOR_CONFIG.rates) };
  const result = await runFloorBench((line) => console.log(line), config);
  for (const table of floorTables(result)) console.log(table);
  console.log(`\nD1 in ${result.storage}; ratio = full path / floor`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
