/** The one label space of cafe. Every dataset adapter maps into it; every model outputs logits in this order. */
export const EXPRESSIONS = ['neutral', 'happiness', 'sadness', 'surprise', 'fear', 'disgust', 'anger'] as const;
export type Expression = (typeof EXPRESSIONS)[number];
export const NUM_CLASSES = EXPRESSIONS.length; // 7

/** Index of an expression in EXPRESSIONS. */
export function expressionIndex(e: Expression): number {
  return EXPRESSIONS.indexOf(e);
}
