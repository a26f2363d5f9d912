// hardware-sim: drive a simulated bench by hand.
return 0;
