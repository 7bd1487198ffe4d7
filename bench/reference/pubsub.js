// A tiny in-process pub/sub whose subscriptions are async iterators, as graphql-js's `subscribe`
// wants. Each subscriber has its own bounded queue; a subscriber that falls QUEUE_LIMIT events
// behind is ended with an error rather than buffering without bound.
const QUEUE_LIMIT = 1024;

export class PubSub {
  #channels = new Map(); // channel -> Set of subscriptions

  publish(channel, event) {
    const subscribers = this.#channels.get(channel);
    if (!subscribers) return 0;
    for (const subscription of subscribers) subscription.push(event);
    return subscribers.size;
  }

  subscribe(channel) {
    let subscribers = this.#channels.get(channel);
    if (!subscribers) this.#channels.set(channel, (subscribers = new Set()));
    const subscription = new Subscription(() => {
      subscribers.delete(subscription);
      if (subscribers.size === 0 && this.#channels.get(channel) === subscribers) {
        this.#channels.delete(channel);
      }
    });
    subscribers.add(subscription);
    return subscription;
  }
}

class Subscription {
  #queue = [];
  #waiting = null; // the resolve of a pending next()
  #done = false;
  #failure = null;
  #unsubscribe;

  constructor(unsubscribe) {
    this.#unsubscribe = unsubscribe;
  }

  push(event) {
    if (this.#done) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve({ value: event, done: false });
    } else if (this.#queue.length < QUEUE_LIMIT) {
      this.#queue.push(event);
    } else {
      this.#failure = new Error("subscriber too slow: queue full");
      this.#finish();
    }
  }

  next() {
    if (this.#queue.length) return Promise.resolve({ value: this.#queue.shift(), done: false });
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return() {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error) {
    this.#finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  #finish() {
    if (this.#done) return;
    this.#done = true;
    this.#unsubscribe();
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve({ value: undefined, done: true });
    }
  }
}
