/** Pure decisions: build or skip, and which tags to add, leave, or cannot move. */

export interface BuildDecisionInput {
  /** Digest the commit's sha tag points at in the registry, if it exists. */
  existingShaDigest?: string;
  skipIfExists: boolean;
  force: boolean;
  /** The repository refuses to move existing tags (ECR IMMUTABLE). */
  immutable: boolean;
}

export type BuildDecision = { build: true; reason: string } | { build: false; digest: string; reason: string; warning?: string };

export function decideBuild(d: BuildDecisionInput): BuildDecision {
  if (!d.existingShaDigest) return { build: true, reason: "the commit's image is not in the registry yet" };
  const rebuildAsked = d.force ? 'force is set' : !d.skipIfExists ? 'skip-if-exists is false' : undefined;
  if (rebuildAsked && d.immutable) {
    // Re-pushing the sha tag would be refused; a re-run must not fail, so reuse what is there.
    return {
      build: false,
      digest: d.existingShaDigest,
      reason: "the commit's image already exists",
      warning: `Not rebuilding although ${rebuildAsked}: the repository is IMMUTABLE, so the existing sha tag cannot be replaced; reusing its image and adding the missing tags.`,
    };
  }
  if (rebuildAsked) return { build: true, reason: rebuildAsked };
  return { build: false, digest: d.existingShaDigest, reason: "the commit's image already exists" };
}

export interface RetagPlan {
  /** Tags to point at the digest (missing, or on another digest in a mutable repository). */
  add: string[];
  /** Tags already on the digest. */
  unchanged: string[];
  /** Tags on another digest that an IMMUTABLE repository will not move. */
  blocked: { tag: string; digest: string }[];
}

/** Which tags need the manifest copied to them, given what each tag points at now. */
export function planRetag(tags: string[], existing: Map<string, string | undefined>, digest: string, immutable: boolean): RetagPlan {
  const plan: RetagPlan = { add: [], unchanged: [], blocked: [] };
  for (const tag of tags) {
    const current = existing.get(tag);
    if (current === digest) plan.unchanged.push(tag);
    else if (current && immutable) plan.blocked.push({ tag, digest: current });
    else plan.add.push(tag);
  }
  return plan;
}
