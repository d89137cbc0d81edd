# Reference values for MetricsTest / LogisticFitTest (scipy 1.10.1, numpy; run with /usr/bin/python3).
import numpy as np, scipy.stats as st
from scipy.optimize import curve_fit
def show(name, x, y):
    p=st.pearsonr(x,y)[0]; s=st.spearmanr(x,y)[0]; k=st.kendalltau(x,y)[0]; r=np.sqrt(np.mean((np.array(x)-np.array(y))**2))
    print(name, repr(p), repr(s), repr(k), repr(r))
x=[1,2,2,3,4,4,4,5,6,7]; y=[1.5,2.0,2.0,2.5,3.0,2.8,3.2,4.0,4.1,4.1]
show("ties", x, y)
show("n3", [1.0,2.0,3.0],[3.0,1.0,2.0])
rng=np.random.default_rng(7)
x=np.round(rng.uniform(0,1,40),2)
y=np.round(1+4/(1+np.exp(-(x-0.5)/0.12))+rng.normal(0,0.3,40),2)
print("X", ", ".join(repr(float(v)) for v in x))
print("Y", ", ".join(repr(float(v)) for v in y))
show("n40", x, y)
def f(x,b1,b2,b3,b4): return (b1-b2)/(1+np.exp(-(x-b3)/np.abs(b4)))+b2
p0=[y.max(), y.min(), x.mean(), x.std()/4]
popt,_=curve_fit(f,x,y,p0=p0,maxfev=100000, xtol=1e-14, ftol=1e-14)
yh=f(x,*popt)
print("fit", [repr(float(v)) for v in popt], repr(st.pearsonr(yh,y)[0]), repr(float(np.sum((y-yh)**2))), repr(float(np.sqrt(np.mean((y-yh)**2)))))
