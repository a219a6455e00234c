import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { canBePlain, detectFileStyle, renderScalar } from "../../src/core/fix/style.js";
import { SourceText } from "../../src/core/fix/text.js";

describe("renderScalar", () => {
  const doubles = { preferSingleQuotes: false };
  const singles = { preferSingleQuotes: true };

  it("writes non-strings plain, whatever the old quoting was", () => {
    expect(renderScalar(true, "block", doubles, "double")).toBe("true");
    expect(renderScalar(10001, "block", doubles, "single")).toBe("10001");
    expect(renderScalar(null, "flow", doubles)).toBe("null");
  });

  it("quotes only strings that YAML 1.2 or 1.1 would read as something else", () => {
    expect(renderScalar("RuntimeDefault", "block", doubles)).toBe("RuntimeDefault");
    expect(renderScalar("true", "block", doubles)).toBe('"true"');
    expect(renderScalar("on", "block", doubles)).toBe('"on"');
    expect(renderScalar("0755", "block", singles)).toBe("'0755'");
    expect(renderScalar("", "block", doubles)).toBe('""');
  });

  it("quotes flow indicators only in flow context", () => {
    expect(canBePlain("a,b", "block")).toBe(true);
    expect(canBePlain("a,b", "flow")).toBe(false);
    expect(renderScalar("a,b", "flow", doubles)).toBe('"a,b"');
  });

  it("keeps the old quote style for strings when it can express the value", () => {
    expect(renderScalar("x", "block", doubles, "single")).toBe("'x'");
    expect(renderScalar("it's", "block", doubles, "single")).toBe("'it''s'");
    expect(renderScalar("a\nb", "block", singles, "single")).toBe('"a\\nb"');
    expect(renderScalar("x", "block", singles, "double")).toBe('"x"');
  });
});

describe("detectFileStyle", () => {
  const detect = (text: string) => detectFileStyle(new SourceText(text), parseDocument(text, { keepSourceTokens: true }).contents);

  it("finds the indentation step, sequence style, quotes and flow padding", () => {
    const style = detect("a:\n    b:\n        c: 'x'\n    l:\n    - 1\n    m: {k: 1}\n    n: [ 1 ]\n");
    expect(style).toMatchObject({ indentStep: 4, sequenceOffset: 0, preferSingleQuotes: true, flowMapPadded: false, flowSeqPadded: true });
  });

  it("falls back to 2, indented sequences (undefined offset), double quotes, `{ a: 1 }` and `[a]`", () => {
    expect(detect("a: 1\r\n")).toMatchObject({
      eol: "\r\n",
      indentStep: 2,
      sequenceOffset: undefined,
      preferSingleQuotes: false,
      flowMapPadded: true,
      flowSeqPadded: false,
    });
  });
});
