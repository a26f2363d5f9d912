// acq: the service engineers' console.
return 0;
