"""Typical wrong answers, per set and question, and the words their hint must contain.

Each entry: (set, question, label, code redefining the learner's function, hint fragment). The
code replaces the master's solution; the question must then lose points and a public test's
message (what ``grader.check`` shows) must contain the fragment.
"""

WRONG = [
    # 1: landscapes
    (
        "01_landscapes",
        "q1",
        "forward difference",
        """
def numerical_gradient(f, x, h=1e-5):
    g = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        g[j] = (f(x + e) - f(x)) / h
    return g
""",
        "it matches the forward difference",
    ),
    (
        "01_landscapes",
        "q1",
        "divides by h",
        """
def numerical_gradient(f, x, h=1e-5):
    g = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        g[j] = (f(x + e) - f(x - e)) / h
    return g
""",
        "divide by 2h",
    ),
    (
        "01_landscapes",
        "q1",
        "h too small",
        """
def numerical_gradient(f, x, h=1e-13):
    g = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        g[j] = (f(x + e) - f(x - e)) / (2 * h)
    return g
""",
        "h is too small",
    ),
    (
        "01_landscapes",
        "q2",
        "not symmetrised",
        """
def hessian(grad, x, h=1e-5):
    return np.column_stack(
        [(grad(x + e) - grad(x - e)) / (2 * h) for e in np.eye(x.size) * h]
    )
""",
        "forgot to symmetrise it",
    ),
    (
        "01_landscapes",
        "q2",
        "forward difference",
        """
def hessian(grad, x, h=1e-5):
    H = np.column_stack([(grad(x + e) - grad(x)) / h for e in np.eye(x.size) * h])
    return (H + H.T) / 2
""",
        "it matches forward differences",
    ),
    (
        "01_landscapes",
        "q3",
        "reads the diagonal",
        """
def classify(H, tol=1e-8):
    d = np.diag(H)
    if np.any(np.abs(d) <= tol):
        return "degenerate"
    if np.all(d > 0):
        return "minimum"
    if np.all(d < 0):
        return "maximum"
    return "saddle"
""",
        "decide from the eigenvalues",
    ),
    (
        "01_landscapes",
        "q3",
        "signs swapped",
        """
def classify(H, tol=1e-8):
    lam = np.linalg.eigvalsh(H)
    if np.any(np.abs(lam) <= tol):
        return "degenerate"
    if np.all(lam < 0):
        return "minimum"
    if np.all(lam > 0):
        return "maximum"
    return "saddle"
""",
        "check your sign convention",
    ),
    (
        "01_landscapes",
        "q3",
        "no tolerance",
        """
def classify(H, tol=1e-8):
    lam = np.linalg.eigvalsh(H)
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    if np.any(lam == 0):
        return "degenerate"
    return "saddle"
""",
        "within tol of zero",
    ),
    # 2: gradient descent
    (
        "02_gradient_descent",
        "q1",
        "sign",
        """
def mse_gradient(w, b, X, y):
    r = y - (X @ w + b)
    return 2 / len(y) * X.T @ r, 2 / len(y) * r.sum()
""",
        "it points uphill: the sign is wrong",
    ),
    (
        "02_gradient_descent",
        "q1",
        "no factor 2",
        """
def mse_gradient(w, b, X, y):
    r = y - (X @ w + b)
    return -1 / len(y) * X.T @ r, -1 / len(y) * r.sum()
""",
        "the factor 2 is missing",
    ),
    (
        "02_gradient_descent",
        "q1",
        "sum not mean",
        """
def mse_gradient(w, b, X, y):
    r = y - (X @ w + b)
    return -2 * X.T @ r, -2 * r.sum()
""",
        "L is the MEAN of the squared errors",
    ),
    (
        "02_gradient_descent",
        "q2",
        "mutates w0",
        """
def gradient_descent(grad_fn, w0, b0, lr, steps):
    w, b = w0, b0
    for _ in range(steps):
        gw, gb = grad_fn(w, b)
        w -= lr * gw
        b -= lr * gb
    return w, b
""",
        "changed its input `w0` in place",
    ),
    (
        "02_gradient_descent",
        "q2",
        "off by one",
        """
def gradient_descent(grad_fn, w0, b0, lr, steps):
    w, b = w0.copy(), b0
    for _ in range(steps - 1):
        gw, gb = grad_fn(w, b)
        w, b = w - lr * gw, b - lr * gb
    return w, b
""",
        "it matches 2 steps instead of 3",
    ),
    (
        "02_gradient_descent",
        "q3",
        "no bias column",
        """
def max_stable_lr(X):
    H = 2 / X.shape[0] * X.T @ X
    return float(2 / np.linalg.eigvalsh(H).max())
""",
        "it ignores the bias",
    ),
    (
        "02_gradient_descent",
        "q3",
        "factor 2 of the Hessian",
        """
def max_stable_lr(X):
    A = np.column_stack([X, np.ones(len(X))])
    return float(2 / np.linalg.eigvalsh(A.T @ A / len(X)).max())
""",
        "it is twice too large",
    ),
    # 3: mini-batch SGD
    (
        "03_minibatch_sgd",
        "q1",
        "with replacement",
        """
def epoch_batches(n, batch_size, rng):
    return [rng.integers(0, n, size=min(batch_size, n - i)) for i in range(0, n, batch_size)]
""",
        "sample WITHOUT replacement",
    ),
    (
        "03_minibatch_sgd",
        "q1",
        "drops the last batch",
        """
def epoch_batches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]
""",
        "the last, smaller batch is missing",
    ),
    (
        "03_minibatch_sgd",
        "q1",
        "not shuffled",
        """
def epoch_batches(n, batch_size, rng):
    order = np.arange(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]
""",
        "shuffle them first",
    ),
    (
        "03_minibatch_sgd",
        "q2",
        "divides by n",
        """
def minibatch_gradient(w, b, X, y, idx):
    r = y[idx] - (X[idx] @ w + b)
    return -2 / len(y) * X[idx].T @ r, -2 / len(y) * r.sum()
""",
        "divide by the batch size",
    ),
    (
        "03_minibatch_sgd",
        "q3",
        "full-batch step",
        """
def sgd_epoch(grad_fn, w, b, lr, batches):
    idx = np.concatenate(batches)
    gw, gb = grad_fn(w, b, idx)
    return w - lr * gw, b - lr * gb
""",
        "take one step PER BATCH",
    ),
    # 4: momentum
    (
        "04_momentum",
        "q1",
        "old velocity",
        """
def momentum_step(p, g, v, lr, momentum):
    return p - lr * v, momentum * v + g
""",
        "it steps with the OLD velocity",
    ),
    (
        "04_momentum",
        "q1",
        "EMA form",
        """
def momentum_step(p, g, v, lr, momentum):
    v = momentum * v + (1 - momentum) * g
    return p - lr * v, v
""",
        "the article and PyTorch add the whole gradient",
    ),
    (
        "04_momentum",
        "q1",
        "in-place velocity",
        """
def momentum_step(p, g, v, lr, momentum):
    v *= momentum
    v += g
    return p - lr * v, v
""",
        "changed its input `v` in place",
    ),
    (
        "04_momentum",
        "q2",
        "velocity reset every step",
        """
def heavy_ball(grad_fn, p0, lr, momentum, steps):
    points = [p0]
    p = p0
    for _ in range(steps):
        p, _ = momentum_step(p, grad_fn(p), np.zeros_like(p), lr, momentum)
        points.append(p)
    return np.array(points)
""",
        "the velocity must carry over between steps",
    ),
    (
        "04_momentum",
        "q2",
        "same array appended",
        """
def heavy_ball(grad_fn, p0, lr, momentum, steps):
    p, v = p0.copy(), np.zeros_like(p0)
    points = [p]
    for _ in range(steps):
        v = momentum * v + grad_fn(p)
        p -= lr * v
        points.append(p)
    return np.array(points)
""",
        "every row is the same point",
    ),
    # 5: Nesterov
    (
        "05_nesterov",
        "q1",
        "classical momentum",
        """
def nesterov_step(p, g, b, lr, momentum):
    b = momentum * b + g
    return p - lr * b, b
""",
        "that is classical (heavy-ball) momentum",
    ),
    (
        "05_nesterov",
        "q2",
        "gradient at theta",
        """
def lookahead_step(theta, v, grad_fn, lr, momentum):
    v = momentum * v + grad_fn(theta)
    return theta - lr * v, v
""",
        "it takes the gradient at theta",
    ),
    # 6: AdaGrad
    (
        "06_adagrad",
        "q1",
        "eps inside the root",
        """
def adagrad_step(p, g, G, lr, eps=1e-10):
    G = G + g**2
    return p - lr * g / np.sqrt(G + eps), G
""",
        "eps is inside the square root",
    ),
    (
        "06_adagrad",
        "q1",
        "old accumulator",
        """
def adagrad_step(p, g, G, lr, eps=1e-10):
    p = p - lr * g / (np.sqrt(G) + eps)
    return p, G + g**2
""",
        "it divides by the OLD accumulator",
    ),
    (
        "06_adagrad",
        "q1",
        "no eps: zero gradient gives NaN",
        """
def adagrad_step(p, g, G, lr, eps=1e-10):
    G = G + g**2
    return p - lr * g / np.sqrt(G), G
""",
        "NaN or inf where the reference is finite",
    ),
    (
        "06_adagrad",
        "q2",
        "mean not sum",
        """
def effective_lrs(lr, grads, eps=1e-10):
    return lr / (np.sqrt((grads**2).mean(axis=0)) + eps)
""",
        "AdaGrad SUMS them",
    ),
    # 7: RMSprop
    (
        "07_rmsprop",
        "q1",
        "alpha swapped",
        """
def rmsprop_step(p, g, s, lr, alpha=0.99, eps=1e-8):
    s = (1 - alpha) * s + alpha * g**2
    return p - lr * g / (np.sqrt(s) + eps), s
""",
        "alpha and 1 - alpha are swapped",
    ),
    (
        "07_rmsprop",
        "q1",
        "eps inside the root",
        """
def rmsprop_step(p, g, s, lr, alpha=0.99, eps=1e-8):
    s = alpha * s + (1 - alpha) * g**2
    return p - lr * g / np.sqrt(s + eps), s
""",
        "eps is inside the square root",
    ),
    (
        "07_rmsprop",
        "q2",
        "momentum on the raw gradient",
        """
def rmsprop_momentum_step(p, g, s, b, lr, alpha, eps, momentum):
    s = alpha * s + (1 - alpha) * g**2
    b = momentum * b + g
    return p - lr * b / (np.sqrt(s) + eps), s, b
""",
        "the momentum buffer must hold the NORMALISED gradient",
    ),
    # 8: Adam
    (
        "08_adam",
        "q1",
        "no bias correction",
        """
def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    return p - lr * m / (np.sqrt(v) + eps), m, v
""",
        "at t = 1, m_hat = m / (1 - 0.9) = 10 m",
    ),
    (
        "08_adam",
        "q1",
        "eps inside the root",
        """
def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
    return p - lr * m_hat / np.sqrt(v_hat + eps), m, v
""",
        "eps is inside the square root",
    ),
    (
        "08_adam",
        "q1",
        "t counted from 0",
        """
def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    m_hat, v_hat = m / (1 - betas[0] ** (t - 1)), v / (1 - betas[1] ** (t - 1))
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
        "a division by 1 - beta**(t - 1) = 0 gives inf",
    ),
    (
        "08_adam",
        "q1",
        "returns corrected moments",
        """
def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    m = (betas[0] * m + (1 - betas[0]) * g) / (1 - betas[0] ** t)
    v = (betas[1] * v + (1 - betas[1]) * g**2) / (1 - betas[1] ** t)
    return p - lr * m / (np.sqrt(v) + eps), m, v
""",
        "return the RAW moments m and v",
    ),
    (
        "08_adam",
        "q1",
        "float64 scalars promote float32",
        """
def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = np.float64(betas[0]), np.float64(betas[1])
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g**2
    return p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), m, v
""",
        "should keep the dtype float32, got float64",
    ),
    (
        "08_adam",
        "q2",
        "divides by v, not vmax",
        """
def amsgrad_step(p, g, m, v, vmax, t, lr, betas, eps):
    p, m, v = adam_step(p, g, m, v, t, lr, betas, eps)
    return p, m, v, np.maximum(vmax, v)
""",
        "AMSGrad divides by the running maximum",
    ),
    # 9: AdamW
    (
        "09_adamw",
        "q1",
        "decay after the step (the article's code)",
        """
def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    p = p - lr * weight_decay * p
    return p, m, v
""",
        "the decay is applied AFTER the Adam step",
    ),
    (
        "09_adamw",
        "q1",
        "L2 through the gradient",
        """
def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    g = g + weight_decay * p
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return p, m, v
""",
        "that is Adam with L2",
    ),
    (
        "09_adamw",
        "q1",
        "decay in place mutates p",
        """
def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    p *= 1 - lr * weight_decay
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return p, m, v
""",
        "changed its input `p` in place",
    ),
    (
        "09_adamw",
        "q2",
        "decay without lr",
        """
def zero_grad_decay(p0, lr, weight_decay, steps):
    return p0 * (1 - weight_decay) ** steps
""",
        "not (1 - weight_decay)",
    ),
    # 10: LAMB
    (
        "10_lamb",
        "q1",
        "no zero-norm rule",
        """
def trust_ratio(w, u):
    return float(np.linalg.norm(w) / np.linalg.norm(u))
""",
        "when a norm is 0 the ratio is 1.0",
    ),
    (
        "10_lamb",
        "q1",
        "upside down",
        """
def trust_ratio(w, u):
    w_norm, u_norm = np.linalg.norm(w), np.linalg.norm(u)
    return 1.0 if w_norm == 0 or u_norm == 0 else float(u_norm / w_norm)
""",
        "the ratio is upside down",
    ),
    (
        "10_lamb",
        "q2",
        "ratio from Adam's step alone",
        """
def lamb_step(p, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    r = (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    u = r + weight_decay * p
    return p - lr * trust_ratio(p, r) * u, m, v
""",
        "the trust ratio must use the whole update",
    ),
    (
        "10_lamb",
        "q2",
        "LARS ratio",
        """
def lamb_step(p, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01):
    m = betas[0] * m + (1 - betas[0]) * g
    v = betas[1] * v + (1 - betas[1]) * g**2
    r = (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    u = r + weight_decay * p
    return p - lr * trust_ratio(p, g) * u, m, v
""",
        "that is LARS's ratio",
    ),
    (
        "10_lamb",
        "q3",
        "the article's LARS: divides by the gradient norm twice",
        """
def lars_step(p, g, buf, lr, momentum=0.9, weight_decay=1e-4, trust_coeff=1e-3, eps=1e-8):
    w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
    trust = trust_coeff * w_norm / (g_norm + weight_decay * w_norm + eps)
    d = (g + weight_decay * p) * trust / g_norm
    buf = momentum * buf + d
    return p - lr * buf, buf
""",
        "the gradient norm divides twice",
    ),
    (
        "10_lamb",
        "q3",
        "no weight decay in the denominator",
        """
def lars_step(p, g, buf, lr, momentum=0.9, weight_decay=1e-4, trust_coeff=1e-3, eps=1e-8):
    w_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
    trust = trust_coeff * w_norm / (g_norm + eps) if w_norm > 0 and g_norm > 0 else 1.0
    d = (g + weight_decay * p) * trust
    buf = momentum * buf + d
    return p - lr * buf, buf
""",
        "the decay term is",
    ),
    # 11: warmup + cosine
    (
        "11_warmup_cosine",
        "q1",
        "cosine over the whole run",
        """
def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = min(1.0, step / total_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress))
""",
        "the cosine starts at the END of the warmup",
    ),
    (
        "11_warmup_cosine",
        "q1",
        "not clamped after total_steps",
        """
def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress))
""",
        "after total_steps the rate must stay at min_lr",
    ),
    (
        "11_warmup_cosine",
        "q1",
        "np.float64 instead of a Python float",
        """
def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return np.float64(base_lr * step / warmup_steps)
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + np.cos(np.pi * progress))
""",
        "return a Python float, got float64",
    ),
    (
        "11_warmup_cosine",
        "q2",
        "scheduler stepped before the update",
        """
def scheduled_descent(grad_fn, p0, base_lr, warmup_steps, total_steps, min_lr=0.0):
    p = p0
    for t in range(total_steps):
        lr = warmup_cosine_lr(t + 1, base_lr, warmup_steps, total_steps, min_lr)
        p = p - lr * grad_fn(p)
    return p
""",
        "each step uses the rate of the NEXT step",
    ),
    # 12: the learning-rate range test
    (
        "12_lr_finder",
        "q1",
        "evenly spaced rates",
        """
def lr_schedule(lr_min, lr_max, steps):
    return np.linspace(lr_min, lr_max, steps)
""",
        "evenly spaced in log(lr), not in lr",
    ),
    (
        "12_lr_finder",
        "q2",
        "no bias correction",
        """
def range_test(loss_and_grad, p0, lr_min, lr_max, steps, beta=0.98, stop_factor=4.0):
    lrs = lr_schedule(lr_min, lr_max, steps)
    p, avg, best, smoothed = p0, 0.0, math.inf, []
    for k in range(steps):
        loss, grad = loss_and_grad(p, k)
        avg = beta * avg + (1 - beta) * float(loss)
        smoothed.append(avg)
        if not math.isfinite(avg) or avg > stop_factor * best:
            break
        best = min(best, avg)
        p = p - float(lrs[k]) * grad
    return lrs[: len(smoothed)], np.array(smoothed)
""",
        "not bias-corrected",
    ),
    (
        "12_lr_finder",
        "q2",
        "never stops",
        """
def range_test(loss_and_grad, p0, lr_min, lr_max, steps, beta=0.98, stop_factor=4.0):
    lrs = lr_schedule(lr_min, lr_max, steps)
    p, avg, smoothed = p0, 0.0, []
    for k in range(steps):
        loss, grad = loss_and_grad(p, k)
        avg = beta * avg + (1 - beta) * float(loss)
        smoothed.append(avg / (1 - beta ** (k + 1)))
        p = p - float(lrs[k]) * grad
    return lrs, np.array(smoothed)
""",
        "the test never stopped",
    ),
    (
        "12_lr_finder",
        "q3",
        "rate of the smallest loss",
        """
def steepest_lr(lrs, smoothed):
    return float(lrs[int(np.argmin(smoothed))])
""",
        "that is the rate of the smallest loss",
    ),
    # 13: clipping
    (
        "13_clipping",
        "q1",
        "per-array clipping",
        """
def clip_by_global_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    out = {}
    for k, g in grads.items():
        out[k] = g * min(1.0, max_norm / (float(np.linalg.norm(g)) + 1e-6))
    return out, total
""",
        "each array was clipped by its own norm",
    ),
    (
        "13_clipping",
        "q1",
        "scales small gradients up",
        """
def clip_by_global_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    return {k: g * (max_norm / (total + 1e-6)) for k, g in grads.items()}, total
""",
        "only scale DOWN",
    ),
    (
        "13_clipping",
        "q1",
        "zero norm divides by zero",
        """
def clip_by_global_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    coef = min(1.0, max_norm / total)
    return {k: g * coef for k, g in grads.items()}, total
""",
        "raised ZeroDivisionError: float division by zero",
    ),
    (
        "13_clipping",
        "q1",
        "clips in place",
        """
def clip_by_global_norm(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for g in grads.values():
        g *= min(1.0, max_norm / (total + 1e-6))
    return grads, total
""",
        "changed its input `grads['W']` in place",
    ),
    (
        "13_clipping",
        "q2",
        "clamps at zero",
        """
def clip_by_value(grads, clip_value):
    return {k: np.clip(g, 0.0, clip_value) for k, g in grads.items()}
""",
        "negative entries are clipped at -c",
    ),
    # 15: Muon
    (
        "15_muon",
        "q1",
        "no normalisation",
        """
def newton_schulz(M, steps=5, coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7):
    a, b, c = coefficients
    X = M.copy()
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * (A @ A)) @ X
    return X
""",
        "divide M by its Frobenius norm first",
    ),
    (
        "15_muon",
        "q1",
        "b and c swapped",
        """
def newton_schulz(M, steps=5, coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7):
    a, b, c = coefficients
    X = M / max(float(np.linalg.norm(M)), eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (c * A + b * (A @ A)) @ X
    return X
""",
        "b multiplies A and c multiplies A @ A",
    ),
    (
        "15_muon",
        "q2",
        "the docstring's sum",
        """
def muon_step(W, G, buf, lr, momentum=0.95, weight_decay=0.1, nesterov=True):
    buf = momentum * buf + G
    update = G + momentum * buf if nesterov else buf
    rows, cols = W.shape
    adjusted = lr * max(1.0, rows / cols) ** 0.5
    return (1.0 - lr * weight_decay) * W - adjusted * newton_schulz(update), buf
""",
        "PyTorch's buffer is a moving average",
    ),
    (
        "15_muon",
        "q2",
        "no lr adjustment",
        """
def muon_step(W, G, buf, lr, momentum=0.95, weight_decay=0.1, nesterov=True):
    buf = momentum * buf + (1.0 - momentum) * G
    update = (1.0 - momentum) * G + momentum * buf if nesterov else buf
    return (1.0 - lr * weight_decay) * W - lr * newton_schulz(update), buf
""",
        "scale the step by lr * sqrt(max(1, rows / cols))",
    ),
    (
        "15_muon",
        "q2",
        "decay with the adjusted lr",
        """
def muon_step(W, G, buf, lr, momentum=0.95, weight_decay=0.1, nesterov=True):
    buf = momentum * buf + (1.0 - momentum) * G
    update = (1.0 - momentum) * G + momentum * buf if nesterov else buf
    rows, cols = W.shape
    adjusted = lr * max(1.0, rows / cols) ** 0.5
    return (1.0 - adjusted * weight_decay) * W - adjusted * newton_schulz(update), buf
""",
        "the weight decay uses the plain lr",
    ),
]
