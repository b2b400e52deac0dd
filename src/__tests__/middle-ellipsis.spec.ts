import { splitForMiddleEllipsis } from '../models/middleEllipsis';

describe('middle ellipsis', () => {
  it('keeps the distinguishing end of names that share a prefix', () => {
    const a = splitForMiddleEllipsis('cifar10-custom-vs-resnet50');
    const b = splitForMiddleEllipsis('cifar10-custom-vs-resnet50-nan');
    expect(a).toEqual({ head: 'cifar10-custom-vs', tail: '-resnet50' });
    expect(b).toEqual({ head: 'cifar10-custom-vs-resnet50', tail: '-nan' });
    expect(a.tail).not.toBe(b.tail);
  });

  it('leaves short names whole and cuts unseparated ones by length', () => {
    expect(splitForMiddleEllipsis('mnist')).toEqual({
      head: 'mnist',
      tail: ''
    });
    const long = 'abcdefghijklmnopqrstuvwxyz';
    const { head, tail } = splitForMiddleEllipsis(long);
    expect(tail).toBe('qrstuvwxyz');
    expect(head + tail).toBe(long);
  });
});
