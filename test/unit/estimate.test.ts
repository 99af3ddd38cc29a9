import { describe, expect, it } from 'vitest';
import type { MessageParam, MessagesRequest, RawBlock } from '../../src/anthropic/types.js';
import {
  IMAGE_TOKENS,
  estimateError,
  estimateMessages,
  estimateRequest,
  estimateSystem,
  estimateText,
  estimateTool,
  estimateTools,
  scaleEstimate,
} from '../../src/routing/estimate.js';
import { latestUserText } from '../../src/routing/query-text.js';
import { claudeCodeTools, filler, mainRequest, reminder, toolResultRequest } from '../fixtures/claude-code.js';
import { TINY_PNG } from '../fixtures/routing-corpus.js';

const user = (content: MessageParam['content']): MessageParam => ({ role: 'user', content });
const tokensOf = (...content: RawBlock[]) => estimateMessages([user(content)]).tokens;
const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: TINY_PNG } };

describe('text', () => {
  it('counts about four characters of English per token', () => {
    expect(estimateText('abcd'.repeat(1000))).toBe(1000);
    expect(estimateText('')).toBe(0);
  });

  it('counts characters, not blocks (the seed counted list entries)', () => {
    const text = filler(4000);
    const asString = estimateMessages([user(text)]).tokens;
    const asBlocks = estimateMessages([user([{ type: 'text', text: text.slice(0, 2000) }, { type: 'text', text: text.slice(2000) }])]).tokens;
    expect(asString).toBeGreaterThan(1000);
    expect(Math.abs(asBlocks - asString)).toBeLessThan(10);
  });

  it('counts non-Latin scripts as denser', () => {
    const cjk = '漢字仮名交じり文'.repeat(100);
    expect(estimateText(cjk)).toBeGreaterThan(cjk.length * 0.8);
    expect(estimateText(cjk)).toBeLessThan(cjk.length * 1.5);
  });
});

describe('every content form', () => {
  it('tool_use inputs count by their JSON', () => {
    const small = tokensOf({ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } });
    const large = tokensOf({ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'x'.repeat(3000) } });
    expect(large - small).toBeGreaterThan(900);
    expect(large - small).toBeLessThan(1100);
  });

  it('tool_result content counts as a string and as blocks, images inside included', () => {
    const text = filler(2000);
    const asString = tokensOf({ type: 'tool_result', tool_use_id: 't1', content: text });
    const asBlocks = tokensOf({ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text }] });
    expect(asString).toBeGreaterThan(490);
    expect(Math.abs(asBlocks - asString)).toBeLessThan(5);
    const withImage = estimateMessages([user([{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text }, image] }])]);
    expect(withImage.images).toBe(1);
    expect(withImage.tokens - asBlocks).toBeGreaterThanOrEqual(IMAGE_TOKENS);
  });

  it('images have a fixed cost, whatever their data size', () => {
    const one = estimateMessages([user([image])]);
    const big = estimateMessages([user([{ ...image, source: { ...image.source, data: 'A'.repeat(400_000) } }])]);
    expect(one.images).toBe(1);
    expect(one.tokens).toBe(big.tokens);
    expect(one.tokens).toBeGreaterThanOrEqual(IMAGE_TOKENS);
  });

  it('thinking counts its text, not its signature; redacted thinking is not counted', () => {
    const bare = tokensOf({ type: 'thinking', thinking: '', signature: 'EqQBCkYI'.repeat(100) });
    const withText = tokensOf({ type: 'thinking', thinking: 'a'.repeat(400), signature: 'EqQBCkYI'.repeat(100) });
    expect(bare).toBeLessThan(10);
    expect(withText - bare).toBe(100);
    expect(tokensOf({ type: 'redacted_thinking', data: 'x'.repeat(4000) })).toBeLessThan(10);
  });

  it('documents count their text; binary documents by size; unknown blocks by their JSON', () => {
    expect(tokensOf({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'a'.repeat(4000) } })).toBeGreaterThan(999);
    expect(tokensOf({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'A'.repeat(40_000) } })).toBeGreaterThan(9_999);
    expect(tokensOf({ type: 'search_result', source: 'kb', title: 't', content: [{ type: 'text', text: 'b'.repeat(3000) }] })).toBeGreaterThan(900);
  });

  it('system prompts count as a string or as blocks', () => {
    const text = filler(3000);
    expect(estimateSystem(text)).toBe(750);
    expect(estimateSystem([{ type: 'text', text: text.slice(0, 1500) }, { type: 'text', text: text.slice(1500) }])).toBeGreaterThanOrEqual(750);
    expect(estimateSystem(undefined)).toBe(0);
  });

  it('tools count names, descriptions and schemas, plus a preamble once', () => {
    const tools = claudeCodeTools();
    const sum = tools.reduce((n, t) => n + estimateTool(t), 0);
    expect(estimateTools(tools)).toBeGreaterThan(sum);
    expect(estimateTools(tools) - sum).toBeLessThan(500);
    expect(JSON.stringify(tools).length / 4).toBeLessThan(estimateTools(tools) * 1.2);
    expect(estimateTools([])).toBe(0);
    expect(estimateTools(undefined)).toBe(0);
  });
});

describe('the three figures', () => {
  it('request = system + conversation + tools', () => {
    const body = mainRequest('What is NixOS?');
    const e = estimateRequest(body);
    expect(e.request).toBe(e.system + e.conversation + e.tools);
    expect(e.tools).toBeGreaterThan(5000);
    expect(e.system).toBeGreaterThan(1500);
    expect(e.request).toBeGreaterThan(JSON.stringify(body).length / 5);
  });

  it('query is the prompt alone: no system reminders, no role:"system" turn', () => {
    const e = estimateRequest(mainRequest(`${reminder(filler(5000))}What is NixOS?`));
    expect(latestUserText(mainRequest(`${reminder('hidden')}What is NixOS?`).messages)).toBe('What is NixOS?');
    expect(e.query).toBe(Math.ceil(estimateText('What is NixOS?')));
    expect(e.conversation).toBeGreaterThan(2000);
  });

  it('a turn of tool results has no query text', () => {
    const e = estimateRequest(toolResultRequest('List files', 'toolu_01X', filler(8000)));
    expect(e.query).toBe(0);
    expect(e.conversation).toBeGreaterThan(2000);
  });

  it('a plain string prompt is the query', () => {
    const body: MessagesRequest = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'abcd'.repeat(50) }] };
    expect(estimateRequest(body)).toMatchObject({ query: 50, system: 0, tools: 0, images: 0 });
  });

  it('scales by a calibration factor and measures relative error', () => {
    expect(scaleEstimate({ query: 10, conversation: 100, request: 1000 }, 1.25)).toEqual({ query: 13, conversation: 125, request: 1250 });
    expect(estimateError(110, 100)).toBeCloseTo(0.1);
    expect(estimateError(90, 100)).toBeCloseTo(-0.1);
    expect(estimateError(5, 0)).toBeNull();
  });
});
