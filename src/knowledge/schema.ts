import { z } from 'zod';

/**
 * The schemas below are the single source of truth for knowledge files: every type of external data in
 * the knowledge folder is inferred from them, and nothing inside the core re-validates it.
 */

const isoDate = z
  .string({ error: 'must be a date written YYYY-MM-DD, e.g. 2023-11-24' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD, e.g. 2023-11-24', abort: true })
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      error: 'is not a real calendar date (check the month and day)',
    },
  );

/**
 * The calendar day of a `published` value: YAML may hand over a Date, and pages often give a timestamp
 * ("2023-11-24T09:30:00Z", "2023-11-24 09:30") where the day is what matters.
 */
function publishedDay(v: unknown): unknown {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
  if (typeof v === 'string') return /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}\S*)?$/.exec(v.trim())?.[1] ?? v;
  return v;
}

/** Kebab-case ids double as file names, so they may never contain dots, slashes or spaces. */
export const articleIdSchema = z
  .string({
    error: 'is required: a kebab-case name equal to the file name, e.g. sky-2023-11-24-west-midlands',
  })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    error:
      'must be kebab-case (lower-case letters, digits and single hyphens), e.g. sky-2023-11-24-west-midlands',
  })
  .max(120, { error: 'must be at most 120 characters' });

/**
 * Front matter of `knowledge/articles/<id>.md`. Strict, so nothing unchecked gets in; the parser sets
 * unknown fields aside first (with a warning naming them) rather than losing a whole article to one extra
 * field.
 */
export const frontMatterSchema = z.strictObject({
  id: articleIdSchema,
  title: z
    .string({ error: 'is required: the headline as published' })
    .trim()
    .min(1, { error: 'must not be empty' }),
  publisher: z
    .string({ error: 'is required: who published it, e.g. Sky News' })
    .trim()
    .min(1, { error: 'must not be empty' }),
  published: z.preprocess(publishedDay, isoDate),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) link, e.g. https://news.sky.com/story/…' })
    .optional(),
  author: z.string().trim().min(1).optional(),
  /** Where the text came from when it is not the url (e.g. a wire copy file name). */
  source: z.string().trim().min(1).optional(),
  /** Free-form labels a moderator finds useful; not used for answers. */
  tags: z.array(z.string().trim().min(1)).optional(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

export const forceSchema = z.strictObject({
  slug: articleIdSchema,
  name: z.string().trim().min(1),
  aliases: z.array(z.string().trim().min(1)),
  nation: z.enum(['England', 'Wales', 'Scotland', 'Northern Ireland', 'UK']),
  kind: z.enum(['territorial', 'national', 'special']),
  in_43: z.boolean(),
});

export const forcesFileSchema = z.array(forceSchema).superRefine((forces, ctx) => {
  const seen = new Set<string>();
  forces.forEach((f, i) => {
    if (seen.has(f.slug))
      ctx.addIssue({ code: 'custom', path: [i, 'slug'], message: `duplicate slug "${f.slug}"` });
    seen.add(f.slug);
  });
});

export type Force = z.infer<typeof forceSchema>;

/** An article as loaded: front matter plus its body paragraphs (one per non-blank line, verbatim). */
export interface Article extends FrontMatter {
  /** Path relative to the knowledge folder, for error messages and `kb show`. */
  file: string;
  paragraphs: string[];
}

export type Topic = 'status' | 'finding' | 'response' | 'context';
export type SpeakerRole = 'inspectorate' | 'force' | 'other';

/** One sentence of an article, the unit that is indexed and cited. */
export interface Passage {
  /** `<articleId>#<paragraph>.<sentence>`, stable while the article is unchanged. */
  id: string;
  articleId: string;
  /** 0-based index of the paragraph in the article body, furniture included. */
  paragraph: number;
  /** 0-based index of the sentence within its paragraph. */
  sentence: number;
  /** 0-based position of the passage in the article (after cleaning). */
  position: number;
  /** Verbatim sentence text. */
  text: string;
  /** Slugs of the forces this passage is about, named or implied by context; most relevant first. */
  forces: string[];
  /** Slugs named explicitly in the text itself (subset of `forces`). */
  named: string[];
  speaker: string | null;
  /** The speaker's rank or role as the article gives it ("Chief Constable", "police and crime commissioner"). */
  speakerTitle: string | null;
  speakerRole: SpeakerRole | null;
  topic: Topic;
  /** For an item of a list: the line that introduced it ("Three forces are in Engage:"), which it completes. */
  lead?: string;
  /** The question heading it answers, in a question-and-answer explainer ("How long does it last?"). */
  heading?: string;
}
