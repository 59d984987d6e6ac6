/**
 * Synthetic knowledge base for `npm run bench`: articles in the real knowledge format (front matter, one
 * paragraph per line), written from news-like sentence templates with real force names from
 * knowledge/forces.json, quotes with speakers (continuing-quote paragraphs, "she added"), status sentences
 * (entering and leaving Engage, rosters of Engage forces), findings, responses and page furniture.
 * Deterministic: the same seed and size give the same files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Force, forcesFileSchema } from '../src/knowledge/schema.js';

export interface GeneratedKnowledge {
  dir: string;
  articles: number;
  /** Sentences written outside furniture: roughly the passages the pipeline will make. */
  sentences: number;
  bytes: number;
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = `Sarah James Wendy Craig Louisa Kier Rachel Mark Andy Lisa Helen David Emma Paul Claire Simon Jo
  Gareth Nicola Stephen Amanda Richard Fiona Chris Zoe Matt Priya Imran Aisha Tom Ruth Ben Kate Neil Olivia`.split(
  /\s+/,
);
const SYLLABLES =
  `bar ing ton wick ham ford ley by worth ster field mere dale shaw croft well brook wood hurst
  moor gate cliff stow den holm thorpe bury pool mont ash bourne wyn dor ril cal ven mar tal fen gar lin bel`.split(
    /\s+/,
  );
const PUBLISHERS = ['Sky News', 'Press Association', 'BBC News', 'The Guardian', 'ITV News', 'Local Gazette'];
const AREAS = `domestic abuse|burglary|knife crime|missing children|sexual offences|online child abuse|
  anti-social behaviour|stalking|fraud|shoplifting|drug dealing|hate crime|road safety|modern slavery`
  .split('|')
  .map((s) => s.trim());
const FAILINGS =
  `answering 999 calls|recording crime accurately|supervising investigations|protecting vulnerable
  people|managing registered sex offenders|safeguarding children|responding to emergencies|tackling corruption|
  vetting officers|handling complaints|managing its finances|catching wanted suspects`
    .split('|')
    .map((s) => s.trim());
const ADJ = ['inadequate', 'poor', 'unacceptable', 'concerning', 'serious', 'systemic', 'persistent'];
const GRADES = ['inadequate', 'requires improvement', 'adequate', 'good', 'outstanding'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function word(r: () => number, parts = 2): string {
  let w = '';
  for (let i = 0; i < parts; i++) w += pick(r, SYLLABLES);
  return w[0]?.toUpperCase() + w.slice(1);
}

/** Article text for one story: the paragraphs (furniture included) and how many are sentences. */
function story(
  r: () => number,
  force: Force,
  others: Force[],
  towns: string[],
  surnames: string[],
): { title: string; paragraphs: string[]; sentences: number } {
  const alias = force.aliases.find((a) => /^[A-Z]/.test(a) && a.split(' ').length <= 3) ?? force.name;
  const chief = `${pick(r, FIRST)} ${pick(r, surnames)}`;
  const chiefSurname = chief.split(' ')[1];
  const inspector = `${pick(r, FIRST)} ${pick(r, surnames)}`;
  const pcc = `${pick(r, FIRST)} ${pick(r, surnames)}`;
  const town = pick(r, towns);
  const area = pick(r, AREAS);
  const failing = pick(r, FAILINGS);
  const adj = pick(r, ADJ);
  const n = () => String(Math.floor(r() * 900) + 10);
  const pct = () => `${Math.floor(r() * 90) + 5}%`;
  const kind = r();
  const exit = kind < 0.15;
  const roster = [force, ...others.slice(0, 2 + Math.floor(r() * 3))].map((f) => f.name);
  const rosterText = `${roster.slice(0, -1).join(', ')} and ${roster.at(-1)}`;
  const paragraphs: string[] = [];
  let sentences = 0;
  const say = (...ss: string[]) => {
    paragraphs.push(ss.join(' '));
    sentences += ss.length;
  };
  const furniture = (line: string) => paragraphs.push(line);

  const title = exit
    ? `${force.name} taken out of special measures after improvements`
    : `${force.name} put into special measures over ${failing}`;
  if (exit) {
    say(
      `${force.name} has been taken out of special measures after inspectors found it had made significant improvements.`,
    );
    say(
      `His Majesty’s Inspectorate of Constabulary said the force had been moved back to routine monitoring.`,
    );
  } else {
    say(
      `${force.name} has been put into special measures by the police watchdog over ${adj} failings in ${failing}.`,
    );
    say(
      `His Majesty’s Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS) said the force had been moved into the Engage process, an enhanced level of monitoring.`,
    );
  }
  furniture('Share this article');
  let blocks = 0;
  while (sentences < 46 && blocks < 40) {
    blocks++;
    const t = Math.floor(r() * 14);
    switch (t) {
      case 0:
        say(
          `Inspectors found the force was ${adj} at ${failing} and that ${pct()} of ${area} cases in ${town} were closed without a suspect being identified.`,
          `The report said victims of ${area} were waiting too long for officers to attend.`,
        );
        break;
      case 1:
        say(
          `${inspector}, His Majesty’s Inspector of Constabulary, said: “I have ${adj} concerns about the performance of ${force.name} in ${failing}.`,
        );
        say(
          `“The force must make improvements quickly so that people in ${town} get the service they deserve.”`,
        );
        say(`“We will monitor its progress closely,” she added.`);
        break;
      case 2:
        say(
          `Chief Constable ${chief} said: “We accept the findings of the inspection and we are determined to improve.`,
          `Our officers work incredibly hard every day to keep people safe.”`,
        );
        say(
          `Mr ${chiefSurname} said the force had already recruited ${n()} extra call handlers and had cut waiting times by ${pct()}.`,
        );
        break;
      case 3:
        say(
          `The force said many of the issues raised by inspectors related to a previous operating model in ${town}.`,
          `It said it had a detailed plan to address the concerns.`,
        );
        break;
      case 4:
        say(`The other forces in special measures are ${rosterText}.`);
        break;
      case 5:
        say(
          `The inspection graded ${alias} as ${pick(r, GRADES)} at investigating crime and ${pick(r, GRADES)} at ${failing}.`,
        );
        break;
      case 6:
        say(
          `Police and crime commissioner ${pcc} said the report made for “sobering reading” and promised an extra £${(r() * 3).toFixed(1)}m for ${area} teams.`,
        );
        break;
      case 7:
        say(
          `A total of ${n()} crimes reported in ${town} over ${n()} days were not recorded, according to the watchdog.`,
        );
        break;
      case 8:
        say(
          `The ${pick(r, others).name} was placed in Engage in ${2018 + Math.floor(r() * 6)} and left the process ${1 + Math.floor(r() * 3)} years later.`,
        );
        break;
      case 9:
        furniture(`Read more: ${word(r)} ${pick(r, AREAS)} arrests in ${pick(r, towns)}`);
        furniture(`${word(r, 3)} council ${pick(r, ['approves', 'rejects'])} new ${pick(r, AREAS)} plan`);
        break;
      case 10:
        say(
          `Residents in ${town} told the inquiry that ${area} had become a daily problem and that officers rarely called back.`,
        );
        break;
      case 11:
        say(
          `${force.name} said it had answered ${n()},000 999 calls last year in an average of ${Math.floor(r() * 20) + 3} seconds.`,
          `It added that arrests for ${area} had risen by ${pct()}.`,
        );
        break;
      case 12:
        furniture('Advertisement');
        furniture(`Image: ${force.name} headquarters in ${town}. Pic: ${word(r)} Agency`);
        break;
      default:
        say(
          `The watchdog said ${alias} had ${pick(r, ['improved', 'not improved', 'made some progress'])} since its last inspection in ${2016 + Math.floor(r() * 7)}.`,
        );
    }
  }
  furniture('Follow us on X and Facebook for the latest news');
  return { title, paragraphs, sentences };
}

/**
 * Writes `articles/*.md` and `forces.json` under `dir` until about `passages` sentences exist (≈50 per
 * article, so 100,000 passages ≈ 2,000 articles).
 */
export async function generateKnowledge(
  dir: string,
  passages: number,
  opts: { seed?: number; forcesFile?: string } = {},
): Promise<GeneratedKnowledge> {
  const forcesFile = opts.forcesFile ?? path.resolve('knowledge/forces.json');
  const forcesRaw = await readFile(forcesFile, 'utf8');
  const forces = forcesFileSchema.parse(JSON.parse(forcesRaw)).filter((f) => f.in_43);
  await mkdir(path.join(dir, 'articles'), { recursive: true });
  await writeFile(path.join(dir, 'forces.json'), forcesRaw);
  const r = rng(opts.seed ?? 42);
  const towns = Array.from({ length: 4000 }, () => word(r, 2 + Math.floor(r() * 2)));
  const surnames = Array.from({ length: 3000 }, () => word(r, 2));
  let sentences = 0;
  let articles = 0;
  let bytes = 0;
  const pending: Promise<void>[] = [];
  while (sentences < passages) {
    const force = pick(r, forces);
    const others = forces.filter((f) => f !== force).sort(() => r() - 0.5);
    const s = story(r, force, others, towns, surnames);
    const date = new Date(Date.UTC(2014, 0, 1) + Math.floor(r() * 3650) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const publisher = pick(r, PUBLISHERS);
    const id = `${publisher.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${date}-${force.slug}-${articles}`;
    const text = `---\nid: ${id}\ntitle: ${JSON.stringify(s.title)}\npublisher: ${publisher}\npublished: ${date}\nurl: https://example.org/news/${id}\n---\n${s.paragraphs.join('\n')}\n`;
    bytes += Buffer.byteLength(text);
    pending.push(writeFile(path.join(dir, 'articles', `${id}.md`), text));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
    sentences += s.sentences;
    articles++;
  }
  await Promise.all(pending);
  return { dir, articles, sentences, bytes };
}
