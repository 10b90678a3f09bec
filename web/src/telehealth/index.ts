export { Visit } from './Visit';
export { WaitingList } from './WaitingList';
