// `npm run bench:search`: p50/p95 latency of typical directory searches on the Postgres engine
// with 100,000 generated schools, measured through the search service (searchSchoolDirectory:
// engine + highlighting + output schema + contact hydration for members), not over HTTP.
// Runs on a fresh database from createTestDatabase() (DATABASE_URL/TEST_DATABASE_URL or embedded).
import { performance } from "node:perf_hooks";
import { closeDb, getDb } from "@/db";
import { insertTenant } from "@/db/queries/tenants";
import { upsertSchoolsBySlug, type SchoolValues } from "@/db/queries/schools";
import { slugify } from "@/lib/schools/fold";
import { searchSchoolDirectory } from "@/lib/schools/search";
import { PostgresSchoolSearch } from "@/lib/schools/search/postgres-engine";
import { createTestDatabase } from "@/lib/server/test-database";
import { searchSchoolsQuery, type SchoolType } from "@/lib/validations/schools";

const TOTAL = Number(process.env.BENCH_SCHOOLS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 60);

// Deterministic generator so runs are comparable.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const turkishCities: [string, number, number, string[]][] = [
  ["İstanbul", 41.01, 28.97, ["Kadıköy", "Üsküdar", "Beşiktaş", "Şişli", "Fatih", "Bakırköy", "Ataşehir", "Sarıyer", "Beyoğlu", "Pendik"]],
  ["Ankara", 39.93, 32.85, ["Çankaya", "Keçiören", "Yenimahalle", "Mamak", "Etimesgut", "Sincan"]],
  ["İzmir", 38.42, 27.14, ["Karşıyaka", "Bornova", "Buca", "Konak", "Çiğli"]],
  ["Bursa", 40.19, 29.06, ["Nilüfer", "Osmangazi", "Yıldırım"]],
  ["Antalya", 36.89, 30.71, ["Muratpaşa", "Konyaaltı", "Kepez"]],
  ["Adana", 37.0, 35.32, ["Seyhan", "Çukurova", "Yüreğir"]],
  ["Konya", 37.87, 32.48, ["Selçuklu", "Meram", "Karatay"]],
  ["Gaziantep", 37.07, 37.38, ["Şahinbey", "Şehitkamil"]],
  ["Şanlıurfa", 37.16, 38.79, ["Haliliye", "Eyyübiye"]],
  ["Kocaeli", 40.77, 29.92, ["İzmit", "Gebze", "Darıca"]],
  ["Eskişehir", 39.78, 30.52, ["Odunpazarı", "Tepebaşı"]],
  ["Trabzon", 41.0, 39.72, ["Ortahisar", "Akçaabat"]],
  ["Kayseri", 38.73, 35.48, ["Melikgazi", "Kocasinan"]],
  ["Diyarbakır", 37.91, 40.24, ["Bağlar", "Kayapınar"]],
  ["Iğdır", 39.92, 44.04, ["Merkez"]],
  ["Çanakkale", 40.15, 26.41, ["Merkez", "Gelibolu"]],
  ["Muğla", 37.22, 28.36, ["Bodrum", "Fethiye", "Marmaris"]],
  ["Samsun", 41.29, 36.33, ["Atakum", "İlkadım"]],
];
const swedishCities: [string, number, number, string[]][] = [
  ["Stockholm", 59.33, 18.07, ["Södermalm", "Kungsholmen", "Östermalm", "Vasastan", "Bromma"]],
  ["Göteborg", 57.71, 11.97, ["Majorna", "Hisingen", "Örgryte"]],
  ["Malmö", 55.6, 13.0, ["Limhamn", "Möllevången", "Husie"]],
  ["Uppsala", 59.86, 17.64, ["Luthagen", "Gottsunda"]],
  ["Västerås", 59.61, 16.55, ["Bäckby"]],
  ["Örebro", 59.27, 15.21, ["Vivalla"]],
  ["Linköping", 58.41, 15.62, ["Ryd"]],
  ["Lund", 55.7, 13.19, ["Norra Fäladen"]],
  ["Umeå", 63.83, 20.26, ["Ålidhem"]],
  ["Jönköping", 57.78, 14.16, ["Huskvarna"]],
];
const trPeople = ["Atatürk", "Cumhuriyet", "Mimar Sinan", "Fatih Sultan Mehmet", "Yunus Emre", "Mehmet Akif Ersoy", "Kazım Karabekir", "Gazi", "Namık Kemal", "Ziya Gökalp", "Barbaros", "İnönü", "Mevlana", "Hacı Bektaş Veli", "Piri Reis", "Şehit Ömer Halisdemir", "Aşık Veysel", "Nene Hatun", "Halide Edib", "Cahit Arf"];
const trKinds: [string, SchoolType][] = [["Anadolu Lisesi", "high_school"], ["Fen Lisesi", "high_school"], ["Mesleki ve Teknik Anadolu Lisesi", "high_school"], ["Ortaokulu", "secondary"], ["İlkokulu", "primary"], ["Anaokulu", "kindergarten"], ["Koleji", "primary"], ["Üniversitesi", "university"], ["Dershanesi", "course"], ["Dil Kursu", "course"]];
const svNames = ["Vasa", "Engelbrekt", "Kungsholm", "Ängsbacka", "Björkhaga", "Solbacka", "Sjöstad", "Ekbacken", "Lindholmen", "Tallbacken", "Rösjö", "Hagaström", "Åsö", "Nyköping", "Bäckeby"];
const svKinds: [string, SchoolType][] = [["skolan", "primary"], [" gymnasium", "high_school"], [" förskola", "kindergarten"], ["skolan högstadium", "secondary"], [" folkhögskola", "course"], [" högskola", "university"]];
const tagPool = ["stem", "ib", "bilingual", "sports", "music", "art", "robotik", "dil", "montessori", "waldorf", "özel", "devlet", "friskola", "kommunal"];

function generate(i: number): SchoolValues {
  const swedish = rand() < 0.3;
  const [city, lat, lng, districts] = pick(swedish ? swedishCities : turkishCities);
  const district = pick(districts);
  let name: string;
  let type: SchoolType;
  if (swedish) {
    const [kind, t] = pick(svKinds);
    name = `${rand() < 0.5 ? pick(svNames) : district}${kind}`;
    type = t;
  } else {
    const [kind, t] = pick(trKinds);
    name = `${rand() < 0.5 ? pick(trPeople) : district} ${kind}`;
    type = t;
  }
  const located = rand() < 0.9;
  return {
    name,
    slug: `${slugify(`${name} ${city}`)}-${i}`,
    type,
    city,
    district,
    address: `${swedish ? pick(["Storgatan", "Drottninggatan", "Kungsgatan"]) : pick(["Atatürk Cad.", "İstiklal Cad.", "Cumhuriyet Sok."])} ${1 + Math.floor(rand() * 200)}`,
    latitude: located ? lat + (rand() - 0.5) * 0.4 : null,
    longitude: located ? lng + (rand() - 0.5) * 0.5 : null,
    phone: swedish ? `+46 8 ${100000 + i}` : `+90 212 ${1000000 + i}`,
    email: `info${i}@school.example`,
    website: rand() < 0.5 ? `https://school${i}.example` : null,
    tags: Array.from(new Set([pick(tagPool), pick(tagPool)])).slice(0, 1 + Math.floor(rand() * 2)),
    isPublic: rand() < 0.85,
  };
}

const queries: Record<string, Record<string, string>> = {
  "browse (no q)": {},
  "q=istanbul": { q: "istanbul" },
  "q=kadikoy": { q: "kadikoy" },
  "q=ankra (typo)": { q: "ankra" },
  "q=lise": { q: "lise" },
  "q=kadıköy anadolu": { q: "kadıköy anadolu" },
  "q=goteborg gymnasium": { q: "goteborg gymnasium" },
  "q=ataturk ilkokulu": { q: "ataturk ilkokulu" },
  "q=mimar sinan fen": { q: "mimar sinan fen" },
  "q=a (1-letter prefix)": { q: "a" },
  "city=izmir": { city: "izmir" },
  "type=university": { type: "university" },
  "q=lise&city=ankara": { q: "lise", city: "ankara" },
  "near=istanbul r=5km": { near: "41.01,28.97", radius_km: "5" },
  "q=lise near (sort only)": { q: "lise", near: "39.93,32.85" },
  "q=ilkokl (typo, no hits as typed)": { q: "ilkokl" },
  "page 50": { page: "50" },
};

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const db0 = await createTestDatabase();
  process.env.DATABASE_URL = db0.url;
  try {
    const db = getDb();
    const tenant = (await insertTenant(db, { name: "Bench schools", slug: `bench-${Date.now().toString(36)}` }))!;
    const started = performance.now();
    for (let i = 0; i < TOTAL; i += 2000) {
      const rows = Array.from({ length: Math.min(2000, TOTAL - i) }, (_, k) => generate(i + k));
      await upsertSchoolsBySlug(db, { tenantId: tenant.id, rows });
    }
    await db.$client.unsafe("vacuum analyze schools");
    console.log(`seeded ${TOTAL} schools in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const engine = new PostgresSchoolSearch();
    const all: number[] = [];
    console.log(`\n${"query".padEnd(28)} ${"access".padEnd(7)} ${"hits".padStart(7)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}`);
    for (const [label, params] of Object.entries(queries)) {
      for (const access of ["public", "member"] as const) {
        const query = searchSchoolsQuery.parse({ tenant: tenant.slug, ...params });
        let total = 0;
        for (let w = 0; w < 3; w++) total = (await searchSchoolDirectory(tenant, access, query, engine)).total;
        const times: number[] = [];
        for (let r = 0; r < RUNS; r++) {
          const t0 = performance.now();
          await searchSchoolDirectory(tenant, access, query, engine);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        all.push(...times);
        console.log(`${label.padEnd(28)} ${access.padEnd(7)} ${String(total).padStart(7)} ${pct(times, 50).toFixed(1).padStart(8)} ${pct(times, 95).toFixed(1).padStart(8)}`);
      }
    }
    all.sort((a, b) => a - b);
    const p95 = pct(all, 95);
    console.log(`\noverall: ${all.length} searches, p50 ${pct(all, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p95 < 50 ms: ${p95 < 50 ? "met" : "NOT met"})`);
  } finally {
    await closeDb();
    await db0.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
