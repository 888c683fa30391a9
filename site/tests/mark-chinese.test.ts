import { describe, expect, it } from 'vitest';
import { markChinese } from '../lib/mark-chinese.ts';

describe('markChinese', () => {
  it('wraps Chinese runs in running text', () => {
    expect(markChinese('<p>The “单端跑路” case, or 半连接队列.</p>')).toBe(
      '<p>The “<span lang="zh-Hans">单端跑路</span>” case, or <span lang="zh-Hans">半连接队列</span>.</p>',
    );
  });

  it('keeps full-width punctuation with its run', () => {
    expect(markChinese('<li>为什么是三次握手？不是两次</li>')).toBe('<li><span lang="zh-Hans">为什么是三次握手？不是两次</span></li>');
  });

  it('leaves text already marked as Chinese, and its descendants, alone', () => {
    const html = '<p>See <span lang="zh-CN">三次<b>握手</b></span> and <em lang="zh-Hans">挥手</em>.</p>';
    expect(markChinese(html)).toBe(html);
  });

  it('marks Chinese again after a lang="zh-Hans" element closes, and inside lang="en" children', () => {
    expect(markChinese('<div lang="zh-Hans">队列</div><p>队列 <i lang="en">队列</i></p>')).toBe(
      '<div lang="zh-Hans">队列</div><p><span lang="zh-Hans">队列</span> <i lang="en"><span lang="zh-Hans">队列</span></i></p>',
    );
  });

  it('does not touch attributes, scripts, or text without Chinese', () => {
    const html = '<a title="三次握手" href="/x">handshake</a><script>const s = "握手";</script><br/><img alt="队列">';
    expect(markChinese(html)).toBe(html);
  });
});
